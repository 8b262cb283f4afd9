"use client";

import type { ReactFlowInstance } from "@xyflow/react";
import type { ReactNode } from "react";
import { useCallback, useEffect, useId, useMemo, useReducer, useRef, useState } from "react";

import type { CatalogueEntry } from "@runnel/nodes";
import { Alert } from "@runnel/ui";

import type { CanvasNode } from "./flow-node";
import type { NodePatch } from "./store";
import type { FlowDefinition, FlowEdge, FlowProblem, NodeStatus, XY } from "./types";
import { usePaletteShown } from "~/components/layout-prefs-provider";
import { ConfigPanel } from "~/features/node-config/config-panel";
import { connectionProblem, indexCatalogue } from "./catalogue-index";
import { EditorToolbar, PaletteToggle, SaveIndicator } from "./editor-toolbar";
import { FlowCanvas } from "./flow-canvas";
import { DEFAULT_NODE_SIZE, layoutPositions } from "./layout";
import { Palette } from "./palette";
import { problemPath, problemsByNode, upstreamOf } from "./problems";
import { ProblemsPanel } from "./problems-panel";
import { isTyping, shortcutOf } from "./shortcuts";
import { editorReducer, initialEditorState } from "./store";
import { useAutosave } from "./use-autosave";

export interface FlowEditorSlots {
  /** Renders the publish control; `disabledReason` is set while the draft has problems or unsaved changes. */
  publish?: (state: {
    disabledReason: string | undefined;
    saveDraft: () => Promise<void>;
  }) => ReactNode;
  /** Renders the run controls; `selectedNodeName` is the display name of the one selected node (for "Rerun from"). */
  run?: (state: {
    saveDraft: () => Promise<void>;
    selectedNodeId: string | null;
    selectedNodeName: string | undefined;
  }) => ReactNode;
  /** Shown in the side panel under the selected node's config (e.g. the run inspector). */
  inspector?: (selectedNodeId: string | null) => ReactNode;
}

export interface FlowEditorProps extends FlowEditorSlots {
  flowId: string;
  name: string;
  draft: FlowDefinition;
  catalogue: readonly CatalogueEntry[];
  /** Viewers see the flow but cannot change it. */
  readOnly: boolean;
  /** Problems of the saved draft, once known. */
  initialProblems: readonly FlowProblem[] | undefined;
  nodeStatus?: Readonly<Record<string, NodeStatus>>;
}

/** The flow editor: palette, canvas, config side panel, problems, toolbar, autosave and keyboard shortcuts. */
export function FlowEditor({
  flowId,
  name,
  draft,
  catalogue,
  readOnly,
  initialProblems,
  nodeStatus,
  publish,
  run,
  inspector,
}: FlowEditorProps) {
  const [state, dispatch] = useReducer(editorReducer, draft, initialEditorState);
  const index = useMemo(() => indexCatalogue(catalogue), [catalogue]);
  /** Problems of the last save, with their per-node lines (unchanged lines keep their identity). */
  const [saved, setSaved] = useState<{
    problems: readonly FlowProblem[];
    byNode: Record<string, readonly string[]>;
  } | null>(null);
  const onProblems = useCallback(
    (next: FlowProblem[]) =>
      setSaved((previous) => ({ problems: next, byNode: problemsByNode(next, previous?.byNode) })),
    [],
  );
  const initialByNode = useMemo(() => problemsByNode(initialProblems ?? []), [initialProblems]);
  const problems = saved?.problems ?? initialProblems;
  const byNode = saved?.byNode ?? initialByNode;
  const [notice, setNotice] = useState<string | null>(null);
  const [flow, setFlow] = useState<ReactFlowInstance<CanvasNode> | null>(null);
  const canvasBox = useRef<HTMLDivElement>(null);
  const [paletteShown, setPaletteShown] = usePaletteShown();
  const paletteId = useId();

  const {
    state: saveState,
    dirty,
    saveNow,
  } = useAutosave({
    flowId,
    definition: state.definition,
    revision: state.revision,
    onProblems,
  });

  const { definition, selectedNodes, selectedEdges } = state;
  const selectedNodeId = selectedNodes.size === 1 ? ([...selectedNodes][0] ?? null) : null;
  const selectedNode = selectedNodeId
    ? definition.nodes.find((n) => n.id === selectedNodeId)
    : undefined;

  const flash = useCallback((message: string) => setNotice(message), []);
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(null), 6000);
    return () => clearTimeout(timer);
  }, [notice]);

  const viewportCentre = useCallback((): XY => {
    const box = canvasBox.current?.getBoundingClientRect();
    if (!flow || !box) return { x: 0, y: 0 };
    const centre = flow.screenToFlowPosition({
      x: box.left + box.width / 2,
      y: box.top + box.height / 2,
    });
    return {
      x: centre.x - DEFAULT_NODE_SIZE.width / 2,
      y: centre.y - DEFAULT_NODE_SIZE.height / 2,
    };
  }, [flow]);

  const latestDefinition = useRef(definition);
  useEffect(() => {
    latestDefinition.current = definition;
  });

  const addAtCentre = useCallback(
    (entry: CatalogueEntry) => {
      if (readOnly) return;
      let position = viewportCentre();
      // A node added where another already is would hide it: move down until the spot is free.
      const { width, height } = DEFAULT_NODE_SIZE;
      const overlaps = (at: XY) =>
        latestDefinition.current.nodes.some(
          (n) => Math.abs(n.position.x - at.x) < width && Math.abs(n.position.y - at.y) < height,
        );
      for (let tries = 0; tries < 50 && overlaps(position); tries++) {
        position = { x: position.x, y: position.y + height + 24 };
      }
      dispatch({ type: "add", entry, position });
    },
    [readOnly, viewportCentre],
  );

  const onDropEntry = useCallback(
    (entry: CatalogueEntry, position: XY) =>
      dispatch({
        type: "add",
        entry,
        position: { x: position.x - DEFAULT_NODE_SIZE.width / 2, y: position.y - 20 },
      }),
    [],
  );
  const onNodesMove = useCallback(
    (positions: { id: string; position: XY }[], final: boolean) =>
      dispatch({ type: "move", positions, final }),
    [],
  );
  const onSelectionChange = useCallback(
    (nodes: { id: string; selected: boolean }[], edges: { id: string; selected: boolean }[]) =>
      dispatch({ type: "select", nodes, edges }),
    [],
  );
  const onConnect = useCallback(
    (edge: Omit<FlowEdge, "id">) => {
      const reason = connectionProblem(latestDefinition.current, index, {
        source: edge.source,
        sourceHandle: edge.sourcePort,
        target: edge.target,
        targetHandle: edge.targetPort,
      });
      if (reason) flash(reason);
      else dispatch({ type: "connect", edge });
    },
    [index, flash],
  );
  const onDelete = useCallback(
    (nodeIds: string[], edgeIds: string[]) => dispatch({ type: "remove", nodeIds, edgeIds }),
    [],
  );
  const selectNode = useCallback(
    (id: string) => {
      dispatch({ type: "selectOnly", nodeIds: [id] });
      void flow?.fitView({ nodes: [{ id }], duration: 300, maxZoom: 1.25 });
    },
    [flow],
  );
  const fit = useCallback(
    () => void flow?.fitView({ padding: 0.2, duration: 300, maxZoom: 1.25 }),
    [flow],
  );
  const autoLayout = useCallback(() => {
    const sizes = new Map<string, { width: number; height: number }>();
    for (const node of latestDefinition.current.nodes) {
      const measured = flow?.getInternalNode(node.id)?.measured;
      if (measured?.width && measured.height) {
        sizes.set(node.id, { width: measured.width, height: measured.height });
      }
    }
    dispatch({ type: "setPositions", positions: layoutPositions(latestDefinition.current, sizes) });
    // Let the canvas take the new positions before fitting them into view.
    requestAnimationFrame(() => void flow?.fitView({ padding: 0.2, duration: 300, maxZoom: 1.25 }));
  }, [flow]);

  const save = useCallback(() => {
    saveNow().catch(() => undefined);
  }, [saveNow]);

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      const action = shortcutOf(event);
      if (!action) return;
      if (action === "save") {
        event.preventDefault();
        if (!readOnly) save();
        return;
      }
      if (isTyping(event.target)) return;
      if (action === "copy" || action === "paste") {
        const text = window.getSelection()?.toString();
        if (text) return;
      }
      if (readOnly && action !== "copy" && action !== "selectAll" && action !== "deselect") return;
      event.preventDefault();
      switch (action) {
        case "undo":
        case "redo":
        case "copy":
          dispatch({ type: action });
          break;
        case "paste":
          dispatch({
            type: "paste",
            literalKeys: (node) => index.get(node.type, node.version)?.literalConfig ?? [],
          });
          break;
        case "selectAll":
          dispatch({
            type: "selectOnly",
            nodeIds: latestDefinition.current.nodes.map((n) => n.id),
          });
          break;
        case "deselect":
          dispatch({ type: "selectOnly", nodeIds: [] });
          break;
      }
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [readOnly, save, index]);

  useUnsavedChangesGuard(dirty);

  const onNodeChange = useCallback(
    (patch: NodePatch) => {
      if (selectedNodeId) dispatch({ type: "update", id: selectedNodeId, patch, at: Date.now() });
    },
    [selectedNodeId],
  );
  const upstream = useMemo(
    () =>
      selectedNodeId
        ? upstreamOf(definition, selectedNodeId).map((n) => ({
            id: n.id,
            name: n.name,
            type: n.type,
          }))
        : [],
    [definition, selectedNodeId],
  );
  /** The flow's variables (`vars.<name>` in expressions), offered by the config panel's completion. */
  const variables = useMemo(() => Object.keys(definition.vars), [definition.vars]);
  const nodeProblems = useMemo(
    () =>
      (problems ?? [])
        .filter((p) => p.nodeId === selectedNodeId)
        .map((p) => ({ path: problemPath(p), message: p.message })),
    [problems, selectedNodeId],
  );

  const problemCount = problems?.length ?? 0;
  const publishDisabledReason = dirty
    ? "Save the draft first: it has unsaved changes."
    : problems === undefined
      ? "The draft is being checked."
      : problemCount > 0
        ? `Fix the ${problemCount} problem${problemCount === 1 ? "" : "s"} first.`
        : undefined;

  return (
    <div className="flex h-[calc(100vh-7rem)] min-h-[560px] flex-col gap-3">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="flex min-w-0 items-baseline gap-3">
          <h1 className="truncate text-xl font-semibold">{name}</h1>
          {readOnly ? (
            <span className="text-sm text-fg-muted">Read only (viewer)</span>
          ) : (
            <SaveIndicator state={saveState} />
          )}
        </div>
        <EditorToolbar
          flowId={flowId}
          readOnly={readOnly}
          saveState={saveState}
          canUndo={state.past.length > 0}
          canRedo={state.future.length > 0}
          onSave={save}
          onUndo={() => dispatch({ type: "undo" })}
          onRedo={() => dispatch({ type: "redo" })}
          onLayout={autoLayout}
          onFit={fit}
          palette={
            <PaletteToggle
              shown={paletteShown}
              controls={paletteId}
              onToggle={() => setPaletteShown(!paletteShown)}
            />
          }
          run={run?.({
            saveDraft: saveNow,
            selectedNodeId,
            selectedNodeName: selectedNode?.name,
          })}
          publish={
            readOnly
              ? null
              : publish?.({ disabledReason: publishDisabledReason, saveDraft: saveNow })
          }
        />
      </div>
      <div aria-live="polite" className="min-h-0">
        {notice ? (
          <Alert variant="danger" className="py-2">
            {notice}
          </Alert>
        ) : null}
      </div>
      <div className="flex min-h-0 flex-1 gap-3">
        {readOnly ? null : (
          <aside id={paletteId} hidden={!paletteShown} className="flex w-56 shrink-0 flex-col">
            <Palette entries={catalogue} onAdd={addAtCentre} />
          </aside>
        )}
        <div className="flex min-w-0 flex-1 flex-col gap-3">
          <div
            ref={canvasBox}
            className="relative min-h-0 flex-1 overflow-hidden rounded-lg border border-border"
            data-testid="flow-canvas"
          >
            {definition.nodes.length === 0 ? (
              <p className="pointer-events-none absolute inset-x-0 top-1/3 z-10 text-center text-sm text-fg-muted">
                {readOnly
                  ? "This flow has no nodes yet."
                  : "Drag a node from the palette, or click one, to start. Every flow begins with a trigger."}
              </p>
            ) : null}
            <FlowCanvas
              definition={definition}
              catalogue={index}
              readOnly={readOnly}
              nodeStatus={nodeStatus}
              problemsByNode={byNode}
              selectedNodeIds={selectedNodes}
              selectedEdgeIds={selectedEdges}
              onSelectionChange={onSelectionChange}
              onNodesMove={onNodesMove}
              onConnect={onConnect}
              onConnectRefused={flash}
              onDelete={onDelete}
              onDropEntry={onDropEntry}
              onInit={setFlow}
            />
          </div>
          <div className="max-h-44 shrink-0 overflow-y-auto rounded-lg border border-border p-3">
            <ProblemsPanel
              problems={problems ?? []}
              checked={problems !== undefined}
              onSelect={selectNode}
            />
          </div>
        </div>
        <aside
          aria-label="Node settings"
          className="flex w-96 shrink-0 flex-col gap-4 overflow-y-auto rounded-lg border border-border p-4"
        >
          {selectedNode ? (
            <ConfigPanel
              key={selectedNode.id}
              node={selectedNode}
              entry={index.get(selectedNode.type, selectedNode.version)}
              upstream={upstream}
              problems={nodeProblems}
              variables={variables}
              readOnly={readOnly}
              onChange={onNodeChange}
            />
          ) : (
            <p className="text-sm text-fg-muted">
              {selectedNodes.size > 1
                ? `${selectedNodes.size} nodes selected. Select one node to configure it.`
                : "Select a node to configure it."}
            </p>
          )}
          {inspector?.(selectedNodeId)}
        </aside>
      </div>
    </div>
  );
}

/** Warns before leaving with unsaved changes: closing or reloading the tab, and links inside the app. */
function useUnsavedChangesGuard(dirty: boolean) {
  useEffect(() => {
    if (!dirty) return;
    const message = "This flow has unsaved changes. Leave anyway?";
    function onBeforeUnload(event: BeforeUnloadEvent) {
      event.preventDefault();
    }
    function onClick(event: MouseEvent) {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey) return;
      const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
      if (!(link instanceof HTMLAnchorElement) || link.target === "_blank") return;
      if (link.origin !== window.location.origin || link.pathname === window.location.pathname)
        return;
      if (!window.confirm(message)) {
        event.preventDefault();
        event.stopPropagation();
      }
    }
    window.addEventListener("beforeunload", onBeforeUnload);
    document.addEventListener("click", onClick, true);
    return () => {
      window.removeEventListener("beforeunload", onBeforeUnload);
      document.removeEventListener("click", onClick, true);
    };
  }, [dirty]);
}
