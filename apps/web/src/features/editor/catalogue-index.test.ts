import { describe, expect, it } from "vitest";

import { catalogueEntries } from "@runnel/nodes";

import type { FlowDefinition, FlowNode } from "./types";
import { connectionProblem, indexCatalogue, nodePorts } from "./catalogue-index";

const index = indexCatalogue(catalogueEntries());
const settings = { retries: 0, timeoutMs: 300_000, onError: "fail" as const };
const node = (id: string, type: string, config: FlowNode["config"] = {}): FlowNode => ({
  id,
  type,
  version: 1,
  name: id,
  config,
  position: { x: 0, y: 0 },
  settings,
});

describe("nodePorts", () => {
  it("lists a type's ports with their labels and types", () => {
    const ports = nodePorts(node("fetch", "http_request"), index.get("http_request", 1));
    expect(ports.inputs).toEqual([
      { name: "in", type: "any", label: "Input", required: false, multiple: false },
    ]);
    expect(ports.outputs.map((p) => [p.name, p.type])).toEqual([["out", "object"]]);
  });

  it("adds the ports a switch's cases name, and the error port when onError routes there", () => {
    const sw = node("route", "switch", { cases: [{ name: "small", when: "{{ true }}" }] });
    const names = nodePorts(sw, index.get("switch", 1)).outputs.map((p) => p.name);
    expect(names).toContain("small");
    const failing = {
      ...node("fetch", "http_request"),
      settings: { ...settings, onError: "error_port" as const },
    };
    expect(nodePorts(failing, index.get("http_request", 1)).outputs.map((p) => p.name)).toEqual([
      "out",
      "error",
    ]);
  });

  it("shows ports that edges name but the type does not declare, so stale edges can be seen and deleted", () => {
    const ports = nodePorts(node("x", "no_such_type"), undefined, {
      inputs: new Set(["in"]),
      outputs: new Set(["gone"]),
    });
    expect(ports.inputs[0]).toMatchObject({ name: "in", undeclared: true });
    expect(ports.outputs[0]).toMatchObject({ name: "gone", undeclared: true });
  });
});

describe("connectionProblem", () => {
  const definition: FlowDefinition = {
    nodes: [
      node("start", "manual_trigger"),
      node("fetch", "http_request"),
      node("items", "loop"),
      node("fields", "set"),
    ],
    edges: [{ id: "e1", source: "start", sourcePort: "out", target: "fetch", targetPort: "in" }],
    vars: {},
  };
  const connect = (source: string, sourceHandle: string, target: string, targetHandle: string) =>
    connectionProblem(definition, index, { source, sourceHandle, target, targetHandle });

  it("accepts equal types and any", () => {
    expect(connect("fetch", "out", "fields", "in")).toBeNull();
  });

  it("refuses type mismatches, saying which ports and types", () => {
    expect(connect("fetch", "out", "items", "in")).toBe(
      'fetch.out carries object but items.in takes array: only equal types or "any" connect.',
    );
  });

  it("refuses self-loops, duplicates, cycles and unknown ports", () => {
    expect(connect("fetch", "out", "fetch", "in")).toMatch(/itself/);
    expect(connect("start", "out", "fetch", "in")).toMatch(/already connected/);
    expect(connect("fetch", "out", "start", "in")).toMatch(/no input port "in"/);
    const chained: FlowDefinition = {
      ...definition,
      edges: [
        ...definition.edges,
        { id: "e2", source: "fetch", sourcePort: "out", target: "fields", targetPort: "in" },
      ],
    };
    expect(
      connectionProblem(chained, index, {
        source: "fields",
        sourceHandle: "out",
        target: "fetch",
        targetHandle: "in",
      }),
    ).toMatch(/cycle/);
  });
});
