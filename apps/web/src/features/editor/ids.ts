import type { FlowEdge } from "./types";

const MAX_ID = 64;

/** A node-id base from any text: lower-case snake_case starting with a letter, e.g. "HTTP Request" → "http_request". */
export function idBase(text: string): string {
  const cleaned = text
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/_+/g, "_")
    .replace(/^_+|_+$/g, "");
  const base = /^[a-z]/.test(cleaned) ? cleaned : `node_${cleaned}`.replace(/_+$/, "");
  return base.slice(0, MAX_ID - 4);
}

/**
 * A readable node id that no node has yet: the base itself, then base_2, base_3… A base that already ends in a
 * counter (a pasted "http_request_2") counts on from its stem, so copies read http_request_3, not http_request_2_2.
 */
export function uniqueNodeId(text: string, taken: ReadonlySet<string>): string {
  const base = idBase(text);
  if (!taken.has(base)) return base;
  const stem = base.replace(/_\d+$/, "") || base;
  for (let n = 2; ; n++) {
    const candidate = `${stem}_${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** An edge id that names its ends ("fetch.out->parse.in"), unique among `taken`. */
export function edgeId(
  edge: Pick<FlowEdge, "source" | "sourcePort" | "target" | "targetPort">,
  taken: ReadonlySet<string>,
): string {
  const readable = `${edge.source}.${edge.sourcePort}->${edge.target}.${edge.targetPort}`;
  if (readable.length <= 128 && !taken.has(readable)) return readable;
  for (let n = 1; ; n++) {
    const candidate = `e${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}
