import { describe, expect, it } from "vitest";

import { createHookShapeCache, hookShapeOf } from "./version-cache";

const definition = {
  nodes: [
    {
      id: "hook",
      type: "webhook_trigger",
      version: 1,
      name: "Hook",
      config: { respondMode: "respond_node" },
    },
    { id: "answer", type: "respond", version: 1, name: "Answer", config: { status: 201 } },
  ],
  edges: [{ id: "e1", source: "hook", sourcePort: "out", target: "answer", targetPort: "in" }],
};

describe("hook shapes of published versions", () => {
  it("reads the trigger's config and the Respond nodes; anything else is null", () => {
    const shape = hookShapeOf(definition, "hook");
    expect(shape?.config.respondMode).toBe("respond_node");
    expect([...(shape?.respondNodeIds ?? [])]).toEqual(["answer"]);
    expect(hookShapeOf(definition, "answer")).toBeNull();
    expect(hookShapeOf({ nodes: "no" }, "hook")).toBeNull();
  });

  it("loads a version's definition once, keeps misses too, and drops the oldest past the limit", async () => {
    const cache = createHookShapeCache(2);
    const loads: string[] = [];
    const load = (id: string) => () => {
      loads.push(id);
      return Promise.resolve(definition);
    };
    await cache.get("v1", "hook", load("v1"));
    await cache.get("v1", "hook", load("v1"));
    expect(await cache.get("v1", "nope", load("v1-nope"))).toBeNull();
    expect(await cache.get("v1", "nope", load("v1-nope"))).toBeNull();
    expect(loads).toEqual(["v1", "v1-nope"]);
    await cache.get("v2", "hook", load("v2"));
    await cache.get("v1", "hook", load("v1"));
    expect(loads).toEqual(["v1", "v1-nope", "v2", "v1"]);
  });
});
