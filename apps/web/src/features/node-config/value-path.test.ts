import { describe, expect, it } from "vitest";

import { getAt, pathKey, setAt } from "./value-path";

describe("value paths", () => {
  it("reads through objects and lists, undefined when a step is missing", () => {
    const config = { cases: [{ name: "big" }], body: { type: "json" } };
    expect(getAt(config, ["cases", 0, "name"])).toBe("big");
    expect(getAt(config, ["cases", 3, "name"])).toBeUndefined();
    expect(getAt(config, ["body", "type", "x"])).toBeUndefined();
  });

  it("writes copies, creating objects and lists on the way, and never touches the original", () => {
    const config = { cases: [{ name: "big" }] };
    const next = setAt(config, ["cases", 0, "when"], "{{ trigger.n > 3 }}");
    expect(next).toEqual({ cases: [{ name: "big", when: "{{ trigger.n > 3 }}" }] });
    expect(config).toEqual({ cases: [{ name: "big" }] });
    expect(setAt({}, ["duration", "amount"], 5)).toEqual({ duration: { amount: 5 } });
    expect(setAt({}, ["items", 1], "b")).toEqual({ items: [undefined, "b"] });
  });

  it("removes an object key written as undefined", () => {
    expect(setAt({ url: "x", method: "GET" }, ["url"], undefined)).toEqual({ method: "GET" });
    expect(setAt({ a: 1 }, [], { b: 2 })).toEqual({ b: 2 });
    expect(pathKey(["config", "cases", 0, "when"])).toBe("config.cases.0.when");
  });
});
