import { describe, expect, it } from "vitest";

import type { JsonObject } from "../ports";
import { runPure } from "../test-context";
import { setNode } from "./set";

describe("set node", () => {
  const input = { id: 1, name: "Ada", secret: "x", address: { city: "London", zip: "N1" } };

  it("keeps the input, removes fields and assigns new ones (dot paths nest)", async () => {
    const result = await runPure(
      setNode,
      {
        fields: [
          { name: "greeting", value: "hi" },
          { name: "address.country", value: "UK" },
        ],
        remove: ["secret", "address.zip"],
      },
      { in: input },
    );
    expect(result).toEqual({
      kind: "emit",
      port: "out",
      value: { id: 1, name: "Ada", greeting: "hi", address: { city: "London", country: "UK" } },
    });
    expect(input.address).toEqual({ city: "London", zip: "N1" });
  });

  it("keeps nothing or only selected fields", async () => {
    await expect(
      runPure(setNode, { keep: "none", fields: [{ name: "total", value: 3 }] }, { in: input }),
    ).resolves.toMatchObject({ value: { total: 3 } });
    await expect(
      runPure(
        setNode,
        { keep: "selected", selected: ["name", "address.city", "missing"] },
        { in: input },
      ),
    ).resolves.toMatchObject({
      value: { name: "Ada", address: { city: "London" } },
    });
  });

  it("works without an input and overwrites non-object parents", async () => {
    await expect(
      runPure(setNode, {
        fields: [
          { name: "a", value: 1 },
          { name: "a.b", value: 2 },
        ],
      }),
    ).resolves.toMatchObject({ value: { a: { b: 2 } } });
  });

  it("treats __proto__, constructor and prototype as ordinary field names", async () => {
    const source = JSON.parse('{"__proto__": {"kept": 1}, "constructor": "c"}') as JsonObject;
    const result = await runPure(
      setNode,
      {
        keep: "all",
        fields: [
          { name: "__proto__.polluted", value: true },
          { name: "a.__proto__", value: { b: 1 } },
          { name: "constructor.prototype", value: "p" },
        ],
      },
      { in: source },
    );
    const out = (result as { value: JsonObject }).value;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, "__proto__")).toBe(true);
    expect(JSON.stringify(out)).toBe(
      '{"__proto__":{"kept":1,"polluted":true},"constructor":{"prototype":"p"},"a":{"__proto__":{"b":1}}}',
    );
    expect(JSON.stringify(source)).toBe('{"__proto__":{"kept":1},"constructor":"c"}');
    await expect(
      runPure(setNode, { keep: "selected", selected: ["__proto__.kept"] }, { in: source }),
    ).resolves.toMatchObject({ value: JSON.parse('{"__proto__": {"kept": 1}}') as JsonObject });
    const removed = await runPure(setNode, { remove: ["__proto__"] }, { in: source });
    expect(JSON.stringify((removed as { value: JsonObject }).value)).toBe('{"constructor":"c"}');
    expect(Reflect.get(Object.prototype, "polluted")).toBeUndefined();
    expect(Reflect.get(Object.prototype, "b")).toBeUndefined();
  });

  it("refuses field names that are not dot paths", async () => {
    for (const name of ["a..b", "", ".a", "a b"]) {
      await expect(runPure(setNode, { fields: [{ name, value: 1 }] }), name).rejects.toThrow(
        /config\.fields\.0\.name/,
      );
    }
  });

  it("describes its output fields for expression checks", () => {
    expect(
      setNode.outputSchemas({
        keep: "none",
        fields: [
          { name: "a.b", value: 1 },
          { name: "c", value: 2 },
        ],
      }),
    ).toEqual({
      out: { type: "object", properties: { a: {}, c: {} }, additionalProperties: false },
    });
  });
});
