import type { FlowDefinition, FlowEdge, FlowNode } from "@runnel/engine";
import { FlowDefinition as FlowDefinitionSchema } from "@runnel/engine";

import type { DiffInput } from "./publish.schema";
import type { ServiceCtx } from "./shared";
import { getVersion } from "./publish.handler";
import { loadFlow } from "./shared";

export interface ValueChange {
  /** Dotted path inside the node, e.g. `config.url`, `settings.retries`, `name`. */
  path: string;
  before: unknown;
  after: unknown;
}

export interface FlowDiff {
  nodes: {
    added: { id: string; type: string }[];
    removed: { id: string; type: string }[];
    /** Nodes whose type, version, name, config or settings differ (position alone is `moved`). */
    changed: { id: string; changes: ValueChange[] }[];
    moved: string[];
  };
  edges: { added: FlowEdge[]; removed: FlowEdge[] };
  vars: ValueChange[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Leaf-level differences of two JSON values; arrays compare as a whole. */
function changesOf(before: unknown, after: unknown, path: string[], out: ValueChange[]): void {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const key of [...keys].sort()) changesOf(before[key], after[key], [...path, key], out);
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) {
    out.push({ path: path.join("."), before: before ?? null, after: after ?? null });
  }
}

const edgeKey = (edge: FlowEdge) =>
  `${edge.source}.${edge.sourcePort}\u0000${edge.target}.${edge.targetPort}`;

/** What changed from `from` to `to`: nodes by id, edges by the ports they connect (edge ids are not compared). */
export function diffDefinitions(from: FlowDefinition, to: FlowDefinition): FlowDiff {
  const before = new Map(from.nodes.map((node) => [node.id, node]));
  const after = new Map(to.nodes.map((node) => [node.id, node]));
  const brief = (node: FlowNode) => ({ id: node.id, type: node.type });
  const diff: FlowDiff = {
    nodes: {
      added: to.nodes.filter((node) => !before.has(node.id)).map(brief),
      removed: from.nodes.filter((node) => !after.has(node.id)).map(brief),
      changed: [],
      moved: [],
    },
    edges: { added: [], removed: [] },
    vars: [],
  };
  for (const node of to.nodes) {
    const old = before.get(node.id);
    if (old === undefined) continue;
    const changes: ValueChange[] = [];
    const { position: oldPosition, ...oldRest } = old;
    const { position, ...rest } = node;
    changesOf(oldRest, rest, [], changes);
    if (changes.length > 0) diff.nodes.changed.push({ id: node.id, changes });
    if (oldPosition.x !== position.x || oldPosition.y !== position.y)
      diff.nodes.moved.push(node.id);
  }
  const fromEdges = new Set(from.edges.map(edgeKey));
  const toEdges = new Set(to.edges.map(edgeKey));
  diff.edges.added = to.edges.filter((edge) => !fromEdges.has(edgeKey(edge)));
  diff.edges.removed = from.edges.filter((edge) => !toEdges.has(edgeKey(edge)));
  changesOf(from.vars, to.vars, [], diff.vars);
  return diff;
}

/** Diff of two published versions of a flow, or of a version and the draft. */
export async function diffFlow(ctx: ServiceCtx, input: DiffInput): Promise<FlowDiff> {
  const side = async (which: number | "draft"): Promise<FlowDefinition> => {
    if (which === "draft") {
      return FlowDefinitionSchema.parse((await loadFlow(ctx.db, ctx.org.id, input.id)).draft);
    }
    return (await getVersion(ctx, { id: input.id, number: which })).definition;
  };
  const [from, to] = await Promise.all([side(input.from), side(input.to)]);
  return diffDefinitions(from, to);
}
