import { describe, expect, it } from "vitest";

import { edgeId, idBase, uniqueNodeId } from "./ids";

describe("node ids", () => {
  it("are readable snake_case that the flow schema accepts", () => {
    expect(idBase("http_request")).toBe("http_request");
    expect(idBase("HTTP Request!")).toBe("http_request");
    expect(idBase("2fa check")).toBe("node_2fa_check");
    expect(idBase("x".repeat(100))).toHaveLength(60);
    expect(idBase("x".repeat(100))).toMatch(/^[a-z][a-z0-9_]*$/);
  });

  it("count up when taken, from the stem of an id that already has a counter", () => {
    expect(uniqueNodeId("http_request", new Set())).toBe("http_request");
    expect(uniqueNodeId("http_request", new Set(["http_request"]))).toBe("http_request_2");
    expect(uniqueNodeId("http_request", new Set(["http_request", "http_request_2"]))).toBe(
      "http_request_3",
    );
    expect(uniqueNodeId("http_request_2", new Set(["http_request", "http_request_2"]))).toBe(
      "http_request_3",
    );
  });
});

describe("edge ids", () => {
  it("name their ends and stay unique", () => {
    const ends = { source: "a", sourcePort: "out", target: "b", targetPort: "in" };
    expect(edgeId(ends, new Set())).toBe("a.out->b.in");
    expect(edgeId(ends, new Set(["a.out->b.in"]))).toBe("e1");
    expect(edgeId(ends, new Set(["a.out->b.in", "e1"]))).toBe("e2");
  });
});
