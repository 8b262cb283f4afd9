import { describe, expect, it } from "vitest";

import type { FlowDefinition } from "./types";
import { layoutPositions } from "./layout";

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

describe("layoutPositions", () => {
  it("lays a flow out left to right, parallel branches one above the other, without overlaps", () => {
    const definition: FlowDefinition = {
      nodes: ["start", "left", "right", "join"].map(node),
      edges: [
        edge("start", "left"),
        edge("start", "right"),
        edge("left", "join"),
        edge("right", "join"),
      ],
      vars: {},
    };
    const size = { width: 200, height: 80 };
    const sizes = new Map(definition.nodes.map((n) => [n.id, size]));
    const at = layoutPositions(definition, sizes);
    const pos = (id: string) => at.get(id) ?? { x: NaN, y: NaN };
    expect(pos("start").x).toBeLessThan(pos("left").x);
    expect(pos("left").x).toBe(pos("right").x);
    expect(pos("left").x).toBeLessThan(pos("join").x);
    expect(Math.abs(pos("left").y - pos("right").y)).toBeGreaterThanOrEqual(size.height);
    expect(pos("start").x + size.width).toBeLessThanOrEqual(pos("left").x);
  });

  it("places unconnected nodes too", () => {
    const at = layoutPositions({ nodes: [node("a"), node("b")], edges: [] });
    expect(at.size).toBe(2);
  });
});
