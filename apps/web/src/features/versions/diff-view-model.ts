import type { RouterOutputs } from "@runnel/api";

export type FlowDiff = RouterOutputs["flows"]["diff"];
export type Highlight = "added" | "removed" | "changed";

/**
 * What each side of a version comparison highlights: the older side shows removed and changed nodes, the newer side
 * added and changed ones. A node that only moved is not highlighted (the change list mentions it).
 */
export function highlightMap(diff: FlowDiff, side: "from" | "to"): Record<string, Highlight> {
  const map: Record<string, Highlight> = {};
  for (const node of diff.nodes.changed) map[node.id] = "changed";
  const own = side === "from" ? diff.nodes.removed : diff.nodes.added;
  for (const node of own) map[node.id] = side === "from" ? "removed" : "added";
  return map;
}

export interface ChangeLine {
  kind: "added" | "removed" | "changed" | "moved" | "connected" | "disconnected" | "variable";
  /** The node the line is about (null for edges between nodes and for variables). */
  nodeId: string | null;
  text: string;
}

const MAX_VALUE = 80;

/** A value in a change line: JSON, shortened; `null` and missing values read as "(none)". */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "(none)";
  const text = JSON.stringify(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

/** The diff as sentences, nodes first (by kind), then connections and variables. */
export function changeLines(diff: FlowDiff): ChangeLine[] {
  const lines: ChangeLine[] = [];
  for (const node of diff.nodes.added)
    lines.push({ kind: "added", nodeId: node.id, text: `Added ${node.id} (${node.type})` });
  for (const node of diff.nodes.removed)
    lines.push({ kind: "removed", nodeId: node.id, text: `Removed ${node.id} (${node.type})` });
  for (const node of diff.nodes.changed) {
    for (const change of node.changes) {
      lines.push({
        kind: "changed",
        nodeId: node.id,
        text: `${node.id} ${change.path}: ${formatValue(change.before)} → ${formatValue(change.after)}`,
      });
    }
  }
  for (const id of diff.nodes.moved) lines.push({ kind: "moved", nodeId: id, text: `Moved ${id}` });
  const edge = (e: FlowDiff["edges"]["added"][number]) =>
    `${e.source}.${e.sourcePort} → ${e.target}.${e.targetPort}`;
  for (const e of diff.edges.added)
    lines.push({ kind: "connected", nodeId: null, text: `Connected ${edge(e)}` });
  for (const e of diff.edges.removed)
    lines.push({ kind: "disconnected", nodeId: null, text: `Disconnected ${edge(e)}` });
  for (const change of diff.vars) {
    lines.push({
      kind: "variable",
      nodeId: null,
      text: `vars.${change.path}: ${formatValue(change.before)} → ${formatValue(change.after)}`,
    });
  }
  return lines;
}

/** A published version number, or the current draft (always the newer side). */
export type Side = number | "draft";

const rank = (side: Side) => (side === "draft" ? Number.POSITIVE_INFINITY : side);

/** The two sides to compare, older first, from a selection in any order. */
export function comparedPair(selected: readonly Side[]): { from: Side; to: Side } | null {
  const [a, b] = selected;
  if (selected.length !== 2 || a === undefined || b === undefined) return null;
  return rank(a) < rank(b) ? { from: a, to: b } : { from: b, to: a };
}

/** Toggles a side in a selection of at most two: a third choice drops the earliest chosen one. */
export function toggleSelection(selected: readonly Side[], side: Side): Side[] {
  if (selected.includes(side)) return selected.filter((v) => v !== side);
  return [...selected, side].slice(-2);
}

export function sideLabel(side: Side): string {
  return side === "draft" ? "Draft" : `Version ${side}`;
}
