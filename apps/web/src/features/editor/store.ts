import type { CatalogueEntry } from "@runnel/nodes";

import type { FlowDefinition, FlowEdge, FlowNode, NodeSettings, XY } from "./types";
import { edgeId, renameConfigReferences, uniqueNodeId } from "./ids";

/**
 * The editor's state: the definition being edited, the selection, undo/redo history and the clipboard. Every
 * operation is a pure function of (state, action); unchanged nodes and edges keep their identity, so the canvas
 * re-renders only what changed.
 */
export interface EditorState {
  definition: FlowDefinition;
  selectedNodes: ReadonlySet<string>;
  selectedEdges: ReadonlySet<string>;
  past: readonly FlowDefinition[];
  future: readonly FlowDefinition[];
  /** Counts changes of `definition`; the autosave compares it with the revision it last saved. */
  revision: number;
  /** The definition when the current drag began: one undo step per drag, not per frame. */
  dragOrigin: FlowDefinition | null;
  clipboard: Clipboard | null;
  /** The last edit that may be merged with the next one (typing in one field), and when it happened. */
  lastEdit: { key: string; at: number } | null;
}

export interface Clipboard {
  nodes: FlowNode[];
  edges: FlowEdge[];
  /** How many times it has been pasted: each paste lands further down and right. */
  pastes: number;
}

export const HISTORY_LIMIT = 100;
export const PASTE_OFFSET = 40;
/** Edits of the same node within this many milliseconds are one undo step. */
export const MERGE_WINDOW_MS = 1000;

export const DEFAULT_SETTINGS: NodeSettings = { retries: 0, timeoutMs: 300_000, onError: "fail" };

/** Config values come from forms that produce JSON (the config panel); the server checks them again. */
export type NodePatch = {
  name?: string;
  config?: Record<string, unknown>;
  settings?: NodeSettings;
};

export type EditorAction =
  | { type: "load"; definition: FlowDefinition }
  | { type: "add"; entry: Pick<CatalogueEntry, "type" | "version" | "ui">; position: XY }
  | { type: "remove"; nodeIds: readonly string[]; edgeIds: readonly string[] }
  | { type: "removeSelected" }
  | { type: "connect"; edge: Omit<FlowEdge, "id"> }
  | { type: "move"; positions: readonly { id: string; position: XY }[]; final: boolean }
  | { type: "setPositions"; positions: ReadonlyMap<string, XY> }
  | { type: "update"; id: string; patch: NodePatch; at: number }
  | {
      type: "select";
      nodes?: readonly { id: string; selected: boolean }[];
      edges?: readonly { id: string; selected: boolean }[];
    }
  | { type: "selectOnly"; nodeIds: readonly string[] }
  | { type: "copy" }
  | {
      type: "paste";
      /** Top-level config keys of a node type that hold literal text, not expressions (the catalogue's literalConfig). */
      literalKeys?: (node: FlowNode) => readonly string[];
    }
  | { type: "undo" }
  | { type: "redo" };

const EMPTY: ReadonlySet<string> = new Set();

export function initialEditorState(definition: FlowDefinition): EditorState {
  return {
    definition,
    selectedNodes: EMPTY,
    selectedEdges: EMPTY,
    past: [],
    future: [],
    revision: 0,
    dragOrigin: null,
    clipboard: null,
    lastEdit: null,
  };
}

/** Replaces the definition, recording the previous one for undo. */
function commit(
  state: EditorState,
  definition: FlowDefinition,
  from = state.definition,
): EditorState {
  if (definition === state.definition && from === state.definition) return state;
  return {
    ...state,
    definition,
    past: [...state.past.slice(-(HISTORY_LIMIT - 1)), from],
    future: [],
    revision: state.revision + 1,
    dragOrigin: null,
    lastEdit: null,
  };
}

/** Drops selected ids that no longer exist (after undo, redo, remove). */
function pruneSelection(state: EditorState): EditorState {
  const nodeIds = new Set(state.definition.nodes.map((n) => n.id));
  const edgeIds = new Set(state.definition.edges.map((e) => e.id));
  const nodes = [...state.selectedNodes].filter((id) => nodeIds.has(id));
  const edges = [...state.selectedEdges].filter((id) => edgeIds.has(id));
  return {
    ...state,
    selectedNodes: nodes.length === state.selectedNodes.size ? state.selectedNodes : new Set(nodes),
    selectedEdges: edges.length === state.selectedEdges.size ? state.selectedEdges : new Set(edges),
  };
}

function removeElements(
  definition: FlowDefinition,
  nodeIds: ReadonlySet<string>,
  edgeIds: ReadonlySet<string>,
): FlowDefinition {
  if (nodeIds.size === 0 && edgeIds.size === 0) return definition;
  return {
    ...definition,
    nodes:
      nodeIds.size === 0 ? definition.nodes : definition.nodes.filter((n) => !nodeIds.has(n.id)),
    edges: definition.edges.filter(
      (e) => !edgeIds.has(e.id) && !nodeIds.has(e.source) && !nodeIds.has(e.target),
    ),
  };
}

function withPositions(
  definition: FlowDefinition,
  positions: ReadonlyMap<string, XY>,
): FlowDefinition {
  let changed = false;
  const nodes = definition.nodes.map((node) => {
    const position = positions.get(node.id);
    if (!position || (position.x === node.position.x && position.y === node.position.y))
      return node;
    changed = true;
    return { ...node, position: { x: position.x, y: position.y } };
  });
  return changed ? { ...definition, nodes } : definition;
}

/**
 * Pastes the clipboard with fresh ids. Expressions of the pasted nodes that read another pasted node
 * (`nodes.<id>`) are rewritten to its new id; references to nodes outside the pasted set stay.
 */
function paste(
  state: EditorState,
  literalKeys: (node: FlowNode) => readonly string[] = () => [],
): EditorState {
  const clipboard = state.clipboard;
  if (!clipboard || clipboard.nodes.length === 0) return state;
  const taken = new Set(state.definition.nodes.map((n) => n.id));
  const renamed = new Map<string, string>();
  for (const node of clipboard.nodes) {
    const id = uniqueNodeId(node.id, taken);
    taken.add(id);
    renamed.set(node.id, id);
  }
  const offset = PASTE_OFFSET * (clipboard.pastes + 1);
  const nodes = clipboard.nodes.map((node) => ({
    ...node,
    id: renamed.get(node.id) ?? node.id,
    config: renameConfigReferences(node.config, renamed, literalKeys(node)),
    position: { x: node.position.x + offset, y: node.position.y + offset },
  }));
  const edgeIds = new Set(state.definition.edges.map((e) => e.id));
  const edges = clipboard.edges.map((edge) => {
    const ends = {
      source: renamed.get(edge.source) ?? edge.source,
      sourcePort: edge.sourcePort,
      target: renamed.get(edge.target) ?? edge.target,
      targetPort: edge.targetPort,
    };
    const id = edgeId(ends, edgeIds);
    edgeIds.add(id);
    return { id, ...ends };
  });
  const next = commit(state, {
    ...state.definition,
    nodes: [...state.definition.nodes, ...nodes],
    edges: [...state.definition.edges, ...edges],
  });
  return {
    ...next,
    clipboard: { ...clipboard, pastes: clipboard.pastes + 1 },
    selectedNodes: new Set(nodes.map((n) => n.id)),
    selectedEdges: EMPTY,
  };
}

function applySelection(
  current: ReadonlySet<string>,
  changes: readonly { id: string; selected: boolean }[] | undefined,
): ReadonlySet<string> {
  if (!changes || changes.length === 0) return current;
  const next = new Set(current);
  for (const change of changes) {
    if (change.selected) next.add(change.id);
    else next.delete(change.id);
  }
  return next;
}

export function editorReducer(state: EditorState, action: EditorAction): EditorState {
  switch (action.type) {
    case "load":
      return initialEditorState(action.definition);

    case "add": {
      const taken = new Set(state.definition.nodes.map((n) => n.id));
      const node: FlowNode = {
        id: uniqueNodeId(action.entry.type, taken),
        type: action.entry.type,
        version: action.entry.version,
        name: action.entry.ui.label,
        config: {},
        position: { x: Math.round(action.position.x), y: Math.round(action.position.y) },
        settings: { ...DEFAULT_SETTINGS },
      };
      const next = commit(state, {
        ...state.definition,
        nodes: [...state.definition.nodes, node],
      });
      return { ...next, selectedNodes: new Set([node.id]), selectedEdges: EMPTY };
    }

    case "remove":
    case "removeSelected": {
      const nodeIds = action.type === "remove" ? new Set(action.nodeIds) : state.selectedNodes;
      const edgeIds = action.type === "remove" ? new Set(action.edgeIds) : state.selectedEdges;
      const definition = removeElements(state.definition, nodeIds, edgeIds);
      if (definition === state.definition) return state;
      return pruneSelection(commit(state, definition));
    }

    case "connect": {
      const { edge } = action;
      const exists = state.definition.edges.some(
        (e) =>
          e.source === edge.source &&
          e.sourcePort === edge.sourcePort &&
          e.target === edge.target &&
          e.targetPort === edge.targetPort,
      );
      if (exists) return state;
      const id = edgeId(edge, new Set(state.definition.edges.map((e) => e.id)));
      return commit(state, {
        ...state.definition,
        edges: [...state.definition.edges, { id, ...edge }],
      });
    }

    case "move": {
      const positions = new Map(action.positions.map((p) => [p.id, p.position]));
      const definition = withPositions(state.definition, positions);
      const origin = state.dragOrigin ?? state.definition;
      if (action.final) {
        if (definition === origin) return { ...state, dragOrigin: null };
        return commit(state, definition, origin);
      }
      if (definition === state.definition) return state;
      return { ...state, definition, dragOrigin: origin, revision: state.revision + 1 };
    }

    case "setPositions":
      return commit(state, withPositions(state.definition, action.positions));

    case "update": {
      const index = state.definition.nodes.findIndex((n) => n.id === action.id);
      const node = state.definition.nodes[index];
      if (!node) return state;
      const updated = { ...node, ...action.patch } as FlowNode;
      const nodes = state.definition.nodes.slice();
      nodes[index] = updated;
      const definition = { ...state.definition, nodes };
      const key = `update:${action.id}:${Object.keys(action.patch).sort().join(",")}`;
      const merge =
        state.lastEdit?.key === key &&
        action.at - state.lastEdit.at < MERGE_WINDOW_MS &&
        state.past.length > 0;
      const next = merge
        ? { ...state, definition, future: [], revision: state.revision + 1 }
        : commit(state, definition);
      return { ...next, lastEdit: { key, at: action.at } };
    }

    case "select":
      return {
        ...state,
        selectedNodes: applySelection(state.selectedNodes, action.nodes),
        selectedEdges: applySelection(state.selectedEdges, action.edges),
      };

    case "selectOnly":
      return { ...state, selectedNodes: new Set(action.nodeIds), selectedEdges: EMPTY };

    case "copy": {
      if (state.selectedNodes.size === 0) return state;
      const nodes = state.definition.nodes.filter((n) => state.selectedNodes.has(n.id));
      const edges = state.definition.edges.filter(
        (e) => state.selectedNodes.has(e.source) && state.selectedNodes.has(e.target),
      );
      return { ...state, clipboard: { nodes, edges, pastes: 0 } };
    }

    case "paste":
      return paste(state, action.literalKeys);

    case "undo": {
      const previous = state.past.at(-1);
      if (!previous) return state;
      return pruneSelection({
        ...state,
        definition: previous,
        past: state.past.slice(0, -1),
        future: [state.definition, ...state.future],
        revision: state.revision + 1,
        dragOrigin: null,
        lastEdit: null,
      });
    }

    case "redo": {
      const [next, ...rest] = state.future;
      if (!next) return state;
      return pruneSelection({
        ...state,
        definition: next,
        past: [...state.past, state.definition],
        future: rest,
        revision: state.revision + 1,
        dragOrigin: null,
        lastEdit: null,
      });
    }
  }
}
