import { describe, expect, it } from "vitest";

import type { FlowDefinition, FlowProblem } from "./types";
import { problemLine, problemsByNode, upstreamOf } from "./problems";

const problem = (
  nodeId: string | null,
  path: (string | number)[],
  message: string,
): FlowProblem => ({
  nodeId,
  path,
  message,
  code: "invalid_config",
});

describe("problemsByNode", () => {
  it("groups problem lines by node, relative to the node, and skips flow-level ones", () => {
    const byNode = problemsByNode([
      problem("fetch", ["nodes", 1, "config", "url"], "Required"),
      problem("fetch", ["nodes", 1], "is not reachable from a trigger"),
      problem(null, ["nodes"], "the flow has no trigger"),
    ]);
    expect(byNode).toEqual({ fetch: ["config.url: Required", "is not reachable from a trigger"] });
  });

  it("reuses unchanged arrays so unchanged nodes keep their identity", () => {
    const first = problemsByNode([problem("a", ["nodes", 0, "config", "x"], "bad")]);
    const second = problemsByNode(
      [problem("a", ["nodes", 0, "config", "x"], "bad"), problem("b", ["nodes", 1], "worse")],
      first,
    );
    expect(second.a).toBe(first.a);
    expect(problemLine(problem("b", ["nodes", 1], "worse"))).toBe("worse");
  });
});

describe("upstreamOf", () => {
  it("lists every node with a path to the given node", () => {
    const node = (id: string) => ({
      id,
      type: "set",
      version: 1,
      name: id,
      config: {},
      position: { x: 0, y: 0 },
      settings: { retries: 0, timeoutMs: 300_000, onError: "fail" as const },
    });
    const edge = (source: string, target: string) => ({
      id: `${source}-${target}`,
      source,
      sourcePort: "out",
      target,
      targetPort: "in",
    });
    const definition: FlowDefinition = {
      nodes: ["a", "b", "c", "d"].map(node),
      edges: [edge("a", "b"), edge("b", "c"), edge("d", "a")],
      vars: {},
    };
    expect(upstreamOf(definition, "c").map((n) => n.id)).toEqual(["a", "b", "d"]);
    expect(upstreamOf(definition, "d")).toEqual([]);
  });
});
