import type { FlowDefinition, FlowProblem } from "./types";

/** `["nodes", 2, "config", "url"]` → `nodes.2.config.url`. */
export function problemPath(problem: Pick<FlowProblem, "path">): string {
  return problem.path.join(".");
}

/** The part of a problem's path inside its node (`config.url`), or "" for the node as a whole. */
export function nodeRelativePath(path: string): string {
  return path.replace(/^nodes\.\d+\.?/, "");
}

/** One line per problem, as shown on a node: "config.url: Required". */
export function problemLine(problem: FlowProblem): string {
  const where = nodeRelativePath(problemPath(problem));
  return where ? `${where}: ${problem.message}` : problem.message;
}

/**
 * Problem lines per node id. Arrays equal to those in `previous` are reused, so nodes whose problems did not
 * change keep their identity (and do not re-render).
 */
export function problemsByNode(
  problems: readonly FlowProblem[],
  previous: Readonly<Record<string, readonly string[]>> = {},
): Record<string, readonly string[]> {
  const grouped: Record<string, string[]> = {};
  for (const problem of problems) {
    if (!problem.nodeId) continue;
    (grouped[problem.nodeId] ??= []).push(problemLine(problem));
  }
  const out: Record<string, readonly string[]> = {};
  for (const [id, lines] of Object.entries(grouped)) {
    const before = previous[id];
    out[id] =
      before && before.length === lines.length && before.every((line, i) => line === lines[i])
        ? before
        : lines;
  }
  return out;
}

/** Nodes `nodeId` depends on (every node with a path to it), in definition order. */
export function upstreamOf(definition: FlowDefinition, nodeId: string): FlowDefinition["nodes"] {
  const into = new Map<string, string[]>();
  for (const edge of definition.edges) {
    const list = into.get(edge.target);
    if (list) list.push(edge.source);
    else into.set(edge.target, [edge.source]);
  }
  const seen = new Set<string>();
  const stack = [nodeId];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    for (const source of into.get(id) ?? []) {
      if (!seen.has(source) && source !== nodeId) {
        seen.add(source);
        stack.push(source);
      }
    }
  }
  return definition.nodes.filter((n) => seen.has(n.id));
}
