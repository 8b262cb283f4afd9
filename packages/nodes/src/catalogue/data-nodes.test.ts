import { describe, expect, it } from "vitest";

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

  it("refuses field names that reach prototypes", async () => {
    for (const name of ["__proto__", "a.__proto__.polluted", "constructor.prototype", "a..b", ""]) {
      await expect(runPure(setNode, { fields: [{ name, value: 1 }] }), name).rejects.toThrow(
        /config\.fields\.0\.name/,
      );
    }
    expect(Object.prototype).not.toHaveProperty("polluted");
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
