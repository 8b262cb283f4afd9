import type { TemplatePart } from "@runnel/nodes";
import { scanTemplate, skipCelString, TemplateSyntaxError } from "@runnel/nodes";

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

/**
 * Index ranges of the `{{ … }}` expressions in a config string, found by the engine's own template scanner:
 * `\{{` is literal text, and `}}` inside a CEL string or map literal does not close the expression. At an unclosed
 * or empty `{{` (which the compiler reports) the ranges stop: what follows it is left as written.
 */
function expressionRanges(text: string): { start: number; end: number }[] {
  let parts: TemplatePart[];
  try {
    parts = scanTemplate(text);
  } catch (error) {
    if (error instanceof TemplateSyntaxError) return expressionRanges(text.slice(0, error.offset));
    throw error;
  }
  return parts.flatMap((part) =>
    part.kind === "expression"
      ? [{ start: part.offset, end: part.offset + part.source.length }]
      : [],
  );
}

/** After the root variable `nodes`: `.id`, `.?id`, `["id"]`, `[?'id']` (group 1 or 2 is the id). */
const NODE_ACCESS =
  /\s*(?:\.\??\s*([A-Za-z_][A-Za-z0-9_]*)|\[\??\s*[rR]?(["'])([a-z][a-z0-9_]*)\2)/y;
const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /[0-9][0-9A-Za-z_.]*/y;

/** Rewrites `nodes.<old>` (and `nodes.?<old>`, `nodes["<old>"]`, `nodes[?"<old>"]`) in one CEL expression. */
function renameInExpression(source: string, renamed: ReadonlyMap<string, string>): string {
  let out = "";
  let copied = 0;
  let previous = "";
  let beforePrevious = "";
  let index = 0;
  const significant = (char: string) => {
    beforePrevious = previous;
    previous = char;
  };
  while (index < source.length) {
    const char = source[index] ?? "";
    if (char === '"' || char === "'") {
      index = skipCelString(source, index);
      significant(char);
      continue;
    }
    if (/\s/.test(char)) {
      index += 1;
      continue;
    }
    NUMBER.lastIndex = index;
    const number = NUMBER.exec(source);
    if (number) {
      index += number[0].length;
      significant("0");
      continue;
    }
    IDENTIFIER.lastIndex = index;
    const word = IDENTIFIER.exec(source)?.[0];
    if (word === undefined) {
      index += 1;
      significant(char);
      continue;
    }
    const after = index + word.length;
    const next = source[after];
    if (/^[rRbB]{1,2}$/.test(word) && (next === '"' || next === "'")) {
      index = skipCelString(source, after);
      significant('"');
      continue;
    }
    index = after;
    const member = previous === "." || (previous === "?" && beforePrevious === ".");
    significant("a");
    if (word !== "nodes" || member) continue;
    NODE_ACCESS.lastIndex = after;
    const access = NODE_ACCESS.exec(source);
    if (!access) continue;
    const id = access[1] ?? access[3] ?? "";
    const to = renamed.get(id);
    const end = NODE_ACCESS.lastIndex;
    if (to !== undefined) {
      const idStart = access[1] !== undefined ? end - id.length : end - id.length - 1;
      out += source.slice(copied, idStart) + to;
      copied = idStart + id.length;
    }
    index = end;
    significant(access[1] !== undefined ? "a" : "]");
  }
  return copied === 0 ? source : out + source.slice(copied);
}

/**
 * Rewrites the node references in a config string's `{{ }}` expressions: a reference to a node id in `renamed`
 * gets the new id; text outside the braces, and references to other nodes, stay as they are.
 */
export function renameNodeReferences(text: string, renamed: ReadonlyMap<string, string>): string {
  if (renamed.size === 0 || !text.includes("{{")) return text;
  let out = "";
  let copied = 0;
  for (const { start, end } of expressionRanges(text)) {
    const source = text.slice(start, end);
    const rewritten = renameInExpression(source, renamed);
    if (rewritten === source) continue;
    out += text.slice(copied, start) + rewritten;
    copied = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * A copy of `config` with {@link renameNodeReferences} applied to every string, except under the node type's
 * literal keys (e.g. the Code node's `code`, where `{{` is not an expression). Unchanged parts keep their identity.
 */
export function renameConfigReferences<T>(
  config: T,
  renamed: ReadonlyMap<string, string>,
  literalKeys: readonly string[] = [],
): T {
  const walk = (value: unknown, top: boolean): unknown => {
    if (typeof value === "string") return renameNodeReferences(value, renamed);
    if (Array.isArray(value)) {
      const items = value.map((item: unknown) => walk(item, false));
      return items.every((item, i) => item === value[i]) ? value : items;
    }
    if (typeof value !== "object" || value === null) return value;
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const item: unknown = Reflect.get(value, key);
      const next = top && literalKeys.includes(key) ? item : walk(item, false);
      if (next !== item) changed = true;
      Object.defineProperty(out, key, {
        value: next,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return changed ? out : value;
  };
  return walk(config, true) as T;
}
