import superjson from "superjson";
import { describe, expect, it } from "vitest";

import { transformer } from "./transformer";

describe("tRPC transformer", () => {
  it("round-trips objects with constructor, prototype and __proto__ keys, dates inside them too", () => {
    const at = new Date("2026-01-02T03:04:05Z");
    const value = {
      constructor: { name: "Widget", prototype: { at } },
      list: [JSON.parse('{"__proto__": {"polluted": "yes"}, "n": 1}') as unknown],
      plain: { at },
    };
    expect(() => superjson.serialize(value)).toThrow(/prototype pollution/);

    const wire = JSON.parse(JSON.stringify(transformer.serialize(value))) as Parameters<
      typeof transformer.deserialize
    >[0];
    const back = transformer.deserialize<typeof value>(wire);
    expect(back).toEqual(value);
    expect(back.constructor.prototype.at).toBeInstanceOf(Date);
    const hostile = back.list[0] as Record<string, unknown>;
    expect(Object.getPrototypeOf(hostile)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(hostile, "__proto__")?.value).toEqual({
      polluted: "yes",
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("sends everything else exactly as plain superjson does, shared references too", () => {
    const at = new Date(0);
    const value = { at, again: at, items: [1, "a", null], nested: { big: 10n, none: undefined } };
    expect(transformer.serialize(value)).toEqual(superjson.serialize(value));
    const shared = { a: { x: 1 }, b: null as unknown };
    shared.b = shared.a;
    expect(transformer.serialize(shared)).toEqual(superjson.serialize(shared));
    expect(transformer.serialize(shared).meta?.referentialEqualities).toBeDefined();
  });

  it("rejects a runnel.object annotation on something that is not a list of entries", () => {
    expect(() =>
      transformer.deserialize({
        json: { a: "not entries" },
        meta: { values: { a: [["custom", "runnel.object"]] } },
      }),
    ).toThrow(/list of \[key, value\] entries/);
  });
});
