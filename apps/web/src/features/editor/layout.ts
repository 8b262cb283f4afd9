import dagre from "@dagrejs/dagre";

import type { FlowDefinition, XY } from "./types";

export const DEFAULT_NODE_SIZE = { width: 240, height: 96 };

/**
 * Left-to-right layered layout (dagre). Returns the top-left position of every node; `sizes` are the measured
 * sizes (missing ones use {@link DEFAULT_NODE_SIZE}).
 */
export function layoutPositions(
  definition: Pick<FlowDefinition, "nodes" | "edges">,
  sizes: ReadonlyMap<string, { width: number; height: number }> = new Map(),
): Map<string, XY> {
  const graph = new dagre.graphlib.Graph({ multigraph: true });
  graph.setGraph({ rankdir: "LR", nodesep: 40, ranksep: 80, marginx: 0, marginy: 0 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of definition.nodes) {
    const size = sizes.get(node.id) ?? DEFAULT_NODE_SIZE;
    graph.setNode(node.id, { width: size.width, height: size.height });
  }
  const ids = new Set(definition.nodes.map((n) => n.id));
  for (const edge of definition.edges) {
    if (ids.has(edge.source) && ids.has(edge.target))
      graph.setEdge(edge.source, edge.target, {}, edge.id);
  }
  dagre.layout(graph);
  const positions = new Map<string, XY>();
  for (const node of definition.nodes) {
    const laid = graph.node(node.id) as { x: number; y: number };
    const size = sizes.get(node.id) ?? DEFAULT_NODE_SIZE;
    positions.set(node.id, {
      x: Math.round(laid.x - size.width / 2),
      y: Math.round(laid.y - size.height / 2),
    });
  }
  return positions;
}
