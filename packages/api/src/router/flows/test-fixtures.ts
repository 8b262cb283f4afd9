import type { FlowDefinitionInput } from "@runnel/engine";

/** A definition that compiles: manual trigger → set. */
export function goodDefinition(greeting = "hello"): FlowDefinitionInput {
  return {
    nodes: [
      {
        id: "start",
        type: "manual_trigger",
        version: 1,
        name: "Start",
        config: { inputSchema: { type: "object" } },
        position: { x: 0, y: 0 },
      },
      {
        id: "greet",
        type: "set",
        version: 1,
        name: "Greet",
        config: { fields: [{ name: "greeting", value: greeting }] },
        position: { x: 200, y: 0 },
      },
    ],
    edges: [{ id: "e1", source: "start", sourcePort: "out", target: "greet", targetPort: "in" }],
  };
}

/** Well-formed but incomplete: the set node reads a node that does not exist and nothing reaches it. */
export function incompleteDefinition(): FlowDefinitionInput {
  return {
    nodes: [
      {
        id: "start",
        type: "manual_trigger",
        version: 1,
        name: "Start",
        config: {},
      },
      {
        id: "orphan",
        type: "set",
        version: 1,
        name: "Orphan",
        config: { fields: [{ name: "x", value: "{{ nodes.missing.value }}" }] },
      },
    ],
    edges: [],
  };
}
