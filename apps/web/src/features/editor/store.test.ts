import { describe, expect, it } from "vitest";

import { catalogueEntries } from "@runnel/nodes";

import type { EditorAction, EditorState } from "./store";
import type { FlowDefinition } from "./types";
import {
  editorReducer,
  HISTORY_LIMIT,
  initialEditorState,
  MERGE_WINDOW_MS,
  PASTE_OFFSET,
} from "./store";

const entries = catalogueEntries();
const entry = (type: string) => {
  const found = entries.find((e) => e.type === type);
  if (!found) throw new Error(`no ${type} in the catalogue`);
  return found;
};

function run(state: EditorState, ...actions: EditorAction[]): EditorState {
  return actions.reduce(editorReducer, state);
}

const empty: FlowDefinition = { nodes: [], edges: [], vars: {} };

function twoNodes(): EditorState {
  return run(
    initialEditorState(empty),
    { type: "add", entry: entry("manual_trigger"), position: { x: 0, y: 0 } },
    { type: "add", entry: entry("http_request"), position: { x: 300, y: 0 } },
    {
      type: "connect",
      edge: {
        source: "manual_trigger",
        sourcePort: "out",
        target: "http_request",
        targetPort: "in",
      },
    },
  );
}

describe("editorReducer", () => {
  it("adds nodes with readable unique ids, default settings, and selects the new one", () => {
    const state = run(
      initialEditorState(empty),
      { type: "add", entry: entry("http_request"), position: { x: 10.4, y: 20.6 } },
      { type: "add", entry: entry("http_request"), position: { x: 0, y: 0 } },
    );
    expect(state.definition.nodes.map((n) => n.id)).toEqual(["http_request", "http_request_2"]);
    expect(state.definition.nodes[0]).toMatchObject({
      type: "http_request",
      version: 1,
      name: "HTTP request",
      config: {},
      position: { x: 10, y: 21 },
      settings: { retries: 0, timeoutMs: 300_000, onError: "fail" },
    });
    expect([...state.selectedNodes]).toEqual(["http_request_2"]);
    expect(state.revision).toBe(2);
  });

  it("connects ports once, with an edge id naming its ends", () => {
    const state = twoNodes();
    expect(state.definition.edges).toEqual([
      {
        id: "manual_trigger.out->http_request.in",
        source: "manual_trigger",
        sourcePort: "out",
        target: "http_request",
        targetPort: "in",
      },
    ]);
    const again = editorReducer(state, {
      type: "connect",
      edge: {
        source: "manual_trigger",
        sourcePort: "out",
        target: "http_request",
        targetPort: "in",
      },
    });
    expect(again).toBe(state);
  });

  it("removes nodes with their edges and forgets them in the selection", () => {
    const state = run(
      twoNodes(),
      { type: "selectOnly", nodeIds: ["http_request"] },
      { type: "removeSelected" },
    );
    expect(state.definition.nodes.map((n) => n.id)).toEqual(["manual_trigger"]);
    expect(state.definition.edges).toEqual([]);
    expect(state.selectedNodes.size).toBe(0);
  });

  it("removes a single edge and leaves the nodes", () => {
    const before = twoNodes();
    const state = editorReducer(before, {
      type: "remove",
      nodeIds: [],
      edgeIds: ["manual_trigger.out->http_request.in"],
    });
    expect(state.definition.edges).toEqual([]);
    expect(state.definition.nodes).toBe(before.definition.nodes);
  });

  it("undoes and redoes every change, and a new change clears the redo stack", () => {
    const start = twoNodes();
    const undone = run(start, { type: "undo" });
    expect(undone.definition.edges).toEqual([]);
    const undoneTwice = run(undone, { type: "undo" }, { type: "undo" });
    expect(undoneTwice.definition.nodes).toEqual([]);
    expect(run(undoneTwice, { type: "undo" })).toBe(undoneTwice);
    const redone = run(undoneTwice, { type: "redo" }, { type: "redo" }, { type: "redo" });
    expect(redone.definition).toEqual(start.definition);
    const branched = run(undone, {
      type: "add",
      entry: entry("set"),
      position: { x: 0, y: 0 },
    });
    expect(branched.future).toEqual([]);
    expect(run(branched, { type: "redo" })).toBe(branched);
  });

  it("keeps at most HISTORY_LIMIT undo steps", () => {
    let state = initialEditorState(empty);
    for (let i = 0; i < HISTORY_LIMIT + 20; i++) {
      state = editorReducer(state, { type: "add", entry: entry("set"), position: { x: i, y: 0 } });
    }
    expect(state.past).toHaveLength(HISTORY_LIMIT);
  });

  it("makes one undo step per drag, however many frames it had", () => {
    const start = twoNodes();
    const dragged = run(
      start,
      {
        type: "move",
        positions: [{ id: "http_request", position: { x: 310, y: 5 } }],
        final: false,
      },
      {
        type: "move",
        positions: [{ id: "http_request", position: { x: 320, y: 10 } }],
        final: false,
      },
      {
        type: "move",
        positions: [{ id: "http_request", position: { x: 330, y: 15 } }],
        final: true,
      },
    );
    expect(dragged.definition.nodes[1]?.position).toEqual({ x: 330, y: 15 });
    expect(dragged.definition.nodes[0]).toBe(start.definition.nodes[0]);
    expect(dragged.past).toHaveLength(start.past.length + 1);
    expect(run(dragged, { type: "undo" }).definition).toBe(start.definition);
  });

  it("merges quick edits of one node into one undo step", () => {
    const start = twoNodes();
    const typed = run(
      start,
      { type: "update", id: "http_request", patch: { name: "F" }, at: 1000 },
      { type: "update", id: "http_request", patch: { name: "Fe" }, at: 1200 },
      { type: "update", id: "http_request", patch: { name: "Fetch" }, at: 1400 },
    );
    expect(typed.definition.nodes[1]?.name).toBe("Fetch");
    expect(typed.past).toHaveLength(start.past.length + 1);
    const later = editorReducer(typed, {
      type: "update",
      id: "http_request",
      patch: { name: "Fetch page" },
      at: 1400 + MERGE_WINDOW_MS,
    });
    expect(later.past).toHaveLength(typed.past.length + 1);
    expect(run(later, { type: "undo" }, { type: "undo" }).definition.nodes[1]?.name).toBe(
      "HTTP request",
    );
  });

  it("copies the selection and pastes it with new ids, offset, with the edges between copied nodes", () => {
    const start = run(twoNodes(), {
      type: "selectOnly",
      nodeIds: ["manual_trigger", "http_request"],
    });
    const once = run(start, { type: "copy" }, { type: "paste" });
    expect(once.definition.nodes.map((n) => n.id)).toEqual([
      "manual_trigger",
      "http_request",
      "manual_trigger_2",
      "http_request_2",
    ]);
    expect(once.definition.nodes[3]?.position).toEqual({ x: 300 + PASTE_OFFSET, y: PASTE_OFFSET });
    expect(once.definition.edges.at(-1)).toMatchObject({
      source: "manual_trigger_2",
      target: "http_request_2",
    });
    expect([...once.selectedNodes]).toEqual(["manual_trigger_2", "http_request_2"]);
    const twice = run(once, { type: "paste" });
    expect(twice.definition.nodes.at(-1)).toMatchObject({
      id: "http_request_3",
      position: { x: 300 + 2 * PASTE_OFFSET, y: 2 * PASTE_OFFSET },
    });
  });

  it("rewrites expressions that read another pasted node to its new id, and keeps references outside the paste", () => {
    const update = (id: string, config: Record<string, unknown>): EditorAction => ({
      type: "update",
      id,
      patch: { config },
      at: 0,
    });
    const start = run(
      twoNodes(),
      { type: "add", entry: entry("code"), position: { x: 600, y: 0 } },
      update("http_request", {
        url: "https://example.com/{{ nodes.manual_trigger.path }}?q={{ nodes.manual_trigger.q }}",
        headers: { "X-Code": '{{ nodes["code"].id }}' },
      }),
      update("code", { code: "return '{{ nodes.http_request }}';" }),
      { type: "selectOnly", nodeIds: ["http_request", "code"] },
      { type: "copy" },
    );
    const literalKeys = (node: { type: string }) => (node.type === "code" ? ["code"] : []);
    const pasted = run(start, { type: "paste", literalKeys });
    const byId = new Map(pasted.definition.nodes.map((n) => [n.id, n]));
    // manual_trigger was not pasted: the copy still reads the original.
    expect(byId.get("http_request_2")?.config).toEqual({
      url: "https://example.com/{{ nodes.manual_trigger.path }}?q={{ nodes.manual_trigger.q }}",
      headers: { "X-Code": '{{ nodes["code_2"].id }}' },
    });
    // The Code node's code is literal text, not an expression.
    expect(byId.get("code_2")?.config).toEqual({ code: "return '{{ nodes.http_request }}';" });
    // The originals are untouched.
    expect(byId.get("http_request")?.config).toEqual(
      start.definition.nodes.find((n) => n.id === "http_request")?.config,
    );

    const withTrigger = run(
      start,
      { type: "selectOnly", nodeIds: ["manual_trigger", "http_request"] },
      { type: "copy" },
      { type: "paste" },
    );
    expect(withTrigger.definition.nodes.find((n) => n.id === "http_request_2")?.config).toEqual({
      url: "https://example.com/{{ nodes.manual_trigger_2.path }}?q={{ nodes.manual_trigger_2.q }}",
      headers: { "X-Code": '{{ nodes["code"].id }}' },
    });
    expect(run(withTrigger, { type: "undo" }).definition).toBe(start.definition);
  });

  it("leaves edges to nodes outside the copied selection behind", () => {
    const state = run(
      twoNodes(),
      { type: "selectOnly", nodeIds: ["http_request"] },
      { type: "copy" },
      { type: "paste" },
    );
    expect(state.definition.edges).toHaveLength(1);
  });

  it("selects and deselects from canvas changes without touching the definition or history", () => {
    const start = twoNodes();
    const state = run(start, {
      type: "select",
      nodes: [
        { id: "manual_trigger", selected: true },
        { id: "http_request", selected: false },
      ],
      edges: [{ id: "manual_trigger.out->http_request.in", selected: true }],
    });
    expect([...state.selectedNodes]).toEqual(["manual_trigger"]);
    expect([...state.selectedEdges]).toEqual(["manual_trigger.out->http_request.in"]);
    expect(state.definition).toBe(start.definition);
    expect(state.revision).toBe(start.revision);
  });

  it("applies laid-out positions as one undoable step", () => {
    const start = twoNodes();
    const state = editorReducer(start, {
      type: "setPositions",
      positions: new Map([["http_request", { x: 500, y: 100 }]]),
    });
    expect(state.definition.nodes[1]?.position).toEqual({ x: 500, y: 100 });
    expect(run(state, { type: "undo" }).definition).toBe(start.definition);
  });
});
