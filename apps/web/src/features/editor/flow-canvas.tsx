"use client";

import "@xyflow/react/dist/style.css";
import "./canvas-performance.css";

import type {
  Edge,
  EdgeChange,
  FinalConnectionState,
  IsValidConnection,
  NodeChange,
  NodeTypes,
  OnConnect,
  ReactFlowInstance,
} from "@xyflow/react";
import type { DragEvent, ReactNode } from "react";
import { Controls, ReactFlow } from "@xyflow/react";
import { useCallback, useLayoutEffect, useMemo, useRef, useState } from "react";

import type { CatalogueEntry } from "@runnel/nodes";

import type { CatalogueIndex, EdgePortNames } from "./catalogue-index";
import type { CanvasNode, FlowNodeData } from "./flow-node";
import type { FlowDefinition, FlowEdge, FlowNode, NodeHighlight, NodeStatus, XY } from "./types";
import { CanvasBackground } from "./canvas-background";
import { CanvasMiniMap } from "./canvas-minimap";
import { connectionProblem, indexCatalogue, nodePorts } from "./catalogue-index";
import { FlowNodeComponent } from "./flow-node";

/** The drag-and-drop payload type of a palette item: `type@version`. */
export const PALETTE_MIME = "application/x-runnel-node";

const nodeTypes: NodeTypes = { runnel: FlowNodeComponent };
const EMPTY_SET: ReadonlySet<string> = new Set();
const DELETE_KEYS = ["Delete", "Backspace"];
const MULTI_SELECT_KEYS = ["Shift", "Meta", "Control"];
const FIT_VIEW_OPTIONS = { padding: 0.2, maxZoom: 1.25 };
/**
 * Only very large flows render just the nodes in view: mounting and unmounting nodes while panning costs layout and
 * paint on every frame, whereas a mounted node moves with the composited viewport for free (bench/canvas.ts).
 */
const VISIBLE_ONLY_ABOVE = 1000;

export interface FlowCanvasProps {
  definition: FlowDefinition;
  /** The node catalogue (as trpc.nodes.catalogue returns it), or an index of it made with indexCatalogue. */
  catalogue: readonly CatalogueEntry[] | CatalogueIndex;
  readOnly?: boolean;
  nodeStatus?: Readonly<Record<string, NodeStatus>>;
  nodeHighlight?: Readonly<Record<string, NodeHighlight>>;
  problemsByNode?: Readonly<Record<string, readonly string[]>>;
  /** Single selection (read-only views). The editor passes `selectedNodeIds` instead. */
  selectedNodeId?: string | null;
  onSelectNode?: (id: string | null) => void;
  selectedNodeIds?: ReadonlySet<string>;
  selectedEdgeIds?: ReadonlySet<string>;
  /** Canvas selection changes (click, shift-click, box), as deltas. */
  onSelectionChange?: (
    nodes: { id: string; selected: boolean }[],
    edges: { id: string; selected: boolean }[],
  ) => void;
  /** Node drags: called every frame with `final: false`, then once with `final: true`. */
  onNodesMove?: (positions: { id: string; position: XY }[], final: boolean) => void;
  onConnect?: (edge: Omit<FlowEdge, "id">) => void;
  /** A connection the user tried to draw and that was refused, with the reason. */
  onConnectRefused?: (reason: string) => void;
  onDelete?: (nodeIds: string[], edgeIds: string[]) => void;
  /** A palette item dropped on the canvas, at a flow position. */
  onDropEntry?: (entry: CatalogueEntry, position: XY) => void;
  onInit?: (instance: ReactFlowInstance<CanvasNode>) => void;
  /** Extra overlays (panels) rendered inside the canvas. */
  children?: ReactNode;
  className?: string;
  "aria-label"?: string;
}

type Size = { width: number; height: number };

interface NodeInputs {
  entry: CatalogueEntry | undefined;
  edgePorts: EdgePortNames | undefined;
  status: NodeStatus | undefined;
  highlight: NodeHighlight | undefined;
  problems: readonly string[] | undefined;
  selected: boolean;
  measured: Size | undefined;
}

/**
 * The last canvas node made for each definition node, with what it was made from. A node whose inputs are all
 * unchanged gets the same object back, which React Flow skips (and its memo'd component does not re-render).
 */
const nodeCache = new WeakMap<
  FlowNode,
  { inputs: NodeInputs; portsKey: string; node: CanvasNode }
>();
const edgeCache = new WeakMap<FlowEdge, { selected: boolean; edge: Edge }>();

function canvasNode(node: FlowNode, inputs: NodeInputs): CanvasNode {
  const key = portsKey(inputs.edgePorts);
  const cached = nodeCache.get(node);
  if (
    cached &&
    cached.portsKey === key &&
    cached.inputs.entry === inputs.entry &&
    cached.inputs.status === inputs.status &&
    cached.inputs.highlight === inputs.highlight &&
    cached.inputs.problems === inputs.problems &&
    cached.inputs.selected === inputs.selected &&
    cached.inputs.measured === inputs.measured
  ) {
    return cached.node;
  }
  const ports =
    cached && cached.portsKey === key && cached.inputs.entry === inputs.entry
      ? cached.node.data.ports
      : nodePorts(node, inputs.entry, inputs.edgePorts);
  const data: FlowNodeData = {
    node,
    entry: inputs.entry,
    ports,
    status: inputs.status,
    highlight: inputs.highlight,
    problems: inputs.problems,
  };
  const made: CanvasNode = {
    id: node.id,
    type: "runnel",
    position: node.position,
    data,
    selected: inputs.selected,
    domAttributes: domAttributes(data),
    ariaLabel: `${node.name} (${node.id})`,
    ...(inputs.measured ? { measured: inputs.measured } : {}),
  };
  nodeCache.set(node, { inputs, portsKey: key, node: made });
  return made;
}

function canvasEdge(edge: FlowEdge, selected: boolean): Edge {
  const cached = edgeCache.get(edge);
  if (cached && cached.selected === selected) return cached.edge;
  const made: Edge = {
    id: edge.id,
    source: edge.source,
    sourceHandle: edge.sourcePort,
    target: edge.target,
    targetHandle: edge.targetPort,
    selected,
    ariaLabel: `Edge from ${edge.source}.${edge.sourcePort} to ${edge.target}.${edge.targetPort}`,
  };
  edgeCache.set(edge, { selected, edge: made });
  return made;
}

function isIndex(catalogue: FlowCanvasProps["catalogue"]): catalogue is CatalogueIndex {
  return !Array.isArray(catalogue);
}

function edgePortsByNode(edges: readonly FlowEdge[]): Map<string, EdgePortNames> {
  const byNode = new Map<string, { inputs: Set<string>; outputs: Set<string> }>();
  const at = (id: string) => {
    let entry = byNode.get(id);
    if (!entry) {
      entry = { inputs: new Set(), outputs: new Set() };
      byNode.set(id, entry);
    }
    return entry;
  };
  for (const edge of edges) {
    at(edge.source).outputs.add(edge.sourcePort);
    at(edge.target).inputs.add(edge.targetPort);
  }
  return byNode;
}

function portsKey(ports: EdgePortNames | undefined): string {
  if (!ports) return "";
  return `${[...ports.inputs].join(",")}|${[...ports.outputs].join(",")}`;
}

function domAttributes(data: FlowNodeData): CanvasNode["domAttributes"] {
  const attributes: Record<string, string> = { "data-type": data.node.type };
  if (data.status) attributes["data-status"] = data.status;
  if (data.highlight) attributes["data-highlight"] = data.highlight;
  if (data.problems && data.problems.length > 0)
    attributes["data-problems"] = String(data.problems.length);
  return attributes;
}

/**
 * The flow graph on @xyflow/react. Controlled by `definition`: every change is reported through a callback and
 * comes back as a new definition. Node objects are reused while their inputs are unchanged, so a selection
 * change or a drag re-renders only the nodes concerned.
 *
 * Every node renders as `.react-flow__node[data-id="<id>"]` with `data-type`, and `data-status`, `data-highlight`
 * and `data-problems` when given.
 */
export function FlowCanvas({
  definition,
  catalogue,
  readOnly = false,
  nodeStatus,
  nodeHighlight,
  problemsByNode,
  selectedNodeId,
  onSelectNode,
  selectedNodeIds,
  selectedEdgeIds,
  onSelectionChange,
  onNodesMove,
  onConnect,
  onConnectRefused,
  onDelete,
  onDropEntry,
  onInit,
  children,
  className,
  "aria-label": ariaLabel = "Flow canvas",
}: FlowCanvasProps) {
  const index = useMemo(
    () => (isIndex(catalogue) ? catalogue : indexCatalogue(catalogue)),
    [catalogue],
  );
  const [sizes, setSizes] = useState<ReadonlyMap<string, Size>>(() => new Map());
  const instance = useRef<ReactFlowInstance<CanvasNode> | null>(null);

  const selectedNodes = useMemo(
    () => selectedNodeIds ?? (selectedNodeId ? new Set([selectedNodeId]) : EMPTY_SET),
    [selectedNodeIds, selectedNodeId],
  );
  const selectedEdges = selectedEdgeIds ?? EMPTY_SET;
  const edgePorts = useMemo(() => edgePortsByNode(definition.edges), [definition.edges]);

  const nodes = useMemo(
    () =>
      definition.nodes.map((node) =>
        canvasNode(node, {
          entry: index.get(node.type, node.version),
          edgePorts: edgePorts.get(node.id),
          status: nodeStatus?.[node.id],
          highlight: nodeHighlight?.[node.id],
          problems: problemsByNode?.[node.id],
          selected: selectedNodes.has(node.id),
          measured: sizes.get(node.id),
        }),
      ),
    [
      definition.nodes,
      index,
      nodeStatus,
      nodeHighlight,
      problemsByNode,
      selectedNodes,
      edgePorts,
      sizes,
    ],
  );

  const edges = useMemo(
    () => definition.edges.map((edge) => canvasEdge(edge, selectedEdges.has(edge.id))),
    [definition.edges, selectedEdges],
  );

  // Callbacks read the latest props through a ref, so their identity never changes (React Flow re-renders less).
  const latest = useRef({
    definition,
    index,
    onNodesMove,
    onSelectionChange,
    onSelectNode,
    onConnect,
    onConnectRefused,
    onDelete,
    onDropEntry,
    onInit,
    readOnly,
  });
  useLayoutEffect(() => {
    latest.current = {
      definition,
      index,
      onNodesMove,
      onSelectionChange,
      onSelectNode,
      onConnect,
      onConnectRefused,
      onDelete,
      onDropEntry,
      onInit,
      readOnly,
    };
  });

  const onNodesChange = useCallback((changes: NodeChange<CanvasNode>[]) => {
    const current = latest.current;
    const moves: { id: string; position: XY }[] = [];
    let final = false;
    const selections: { id: string; selected: boolean }[] = [];
    const resized = new Map<string, Size>();
    for (const change of changes) {
      if (change.type === "dimensions" && change.dimensions) {
        resized.set(change.id, {
          width: change.dimensions.width,
          height: change.dimensions.height,
        });
      } else if (change.type === "position" && change.position) {
        moves.push({ id: change.id, position: change.position });
        if (!change.dragging) final = true;
      } else if (change.type === "select") {
        selections.push({ id: change.id, selected: change.selected });
      }
    }
    if (resized.size > 0) setSizes((previous) => new Map([...previous, ...resized]));
    if (moves.length > 0 && !current.readOnly) current.onNodesMove?.(moves, final);
    if (selections.length > 0) {
      if (current.onSelectionChange) current.onSelectionChange(selections, []);
      else if (current.onSelectNode) {
        const chosen = selections.find((s) => s.selected);
        current.onSelectNode(chosen ? chosen.id : null);
      }
    }
  }, []);

  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    const selections: { id: string; selected: boolean }[] = [];
    for (const change of changes) {
      if (change.type === "select") selections.push({ id: change.id, selected: change.selected });
    }
    if (selections.length > 0) latest.current.onSelectionChange?.([], selections);
  }, []);

  const isValidConnection = useCallback<IsValidConnection>(
    (connection) =>
      connectionProblem(latest.current.definition, latest.current.index, connection) === null,
    [],
  );

  const handleConnect = useCallback<OnConnect>((connection) => {
    const { sourceHandle, targetHandle } = connection;
    if (!sourceHandle || !targetHandle) return;
    latest.current.onConnect?.({
      source: connection.source,
      sourcePort: sourceHandle,
      target: connection.target,
      targetPort: targetHandle,
    });
  }, []);

  const handleConnectEnd = useCallback(
    (_event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (state.isValid !== false || !state.fromHandle || !state.toHandle) return;
      const from = state.fromHandle.type === "source" ? state.fromHandle : state.toHandle;
      const to = state.fromHandle.type === "source" ? state.toHandle : state.fromHandle;
      const reason = connectionProblem(latest.current.definition, latest.current.index, {
        source: from.nodeId,
        sourceHandle: from.id,
        target: to.nodeId,
        targetHandle: to.id,
      });
      if (reason) latest.current.onConnectRefused?.(reason);
    },
    [],
  );

  const handleDelete = useCallback(
    ({ nodes: gone, edges: cut }: { nodes: CanvasNode[]; edges: Edge[] }) => {
      latest.current.onDelete?.(
        gone.map((n) => n.id),
        cut.map((e) => e.id),
      );
    },
    [],
  );

  const handleInit = useCallback((flow: ReactFlowInstance<CanvasNode>) => {
    instance.current = flow;
    latest.current.onInit?.(flow);
  }, []);

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(PALETTE_MIME)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  }, []);

  const onDrop = useCallback((event: DragEvent) => {
    const payload = event.dataTransfer.getData(PALETTE_MIME);
    const flow = instance.current;
    if (!payload || !flow || latest.current.readOnly) return;
    event.preventDefault();
    const [type = "", version = ""] = payload.split("@");
    const entry = latest.current.index.get(type, Number(version));
    if (!entry) return;
    latest.current.onDropEntry?.(
      entry,
      flow.screenToFlowPosition({ x: event.clientX, y: event.clientY }),
    );
  }, []);

  return (
    <ReactFlow<CanvasNode>
      className={className}
      aria-label={ariaLabel}
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      onNodesChange={onNodesChange}
      onEdgesChange={onEdgesChange}
      onConnect={handleConnect}
      onConnectEnd={handleConnectEnd}
      isValidConnection={isValidConnection}
      onDelete={handleDelete}
      onInit={handleInit}
      onDragOver={onDragOver}
      onDrop={onDrop}
      nodesDraggable={!readOnly}
      nodesConnectable={!readOnly}
      elementsSelectable
      deleteKeyCode={readOnly ? null : DELETE_KEYS}
      multiSelectionKeyCode={MULTI_SELECT_KEYS}
      selectionKeyCode="Shift"
      colorMode="system"
      fitView
      fitViewOptions={FIT_VIEW_OPTIONS}
      minZoom={0.1}
      onlyRenderVisibleElements={definition.nodes.length > VISIBLE_ONLY_ABOVE}
      proOptions={{ hideAttribution: false }}
    >
      <CanvasBackground />
      <CanvasMiniMap nodes={nodes} />
      <Controls showInteractive={false} />
      {children}
    </ReactFlow>
  );
}
