import { describe, expect, it } from "vitest";
import { z } from "zod";

import { checkSchemaPath } from "./schema-path";

const order = z.toJSONSchema(
  z.object({
    id: z.number(),
    customer: z.object({ name: z.string(), email: z.string().optional() }),
    items: z.array(z.object({ sku: z.string(), qty: z.number() })),
    meta: z.record(z.string(), z.string()),
    note: z.string().nullable(),
  }),
  { io: "output" },
);

describe("checkSchemaPath", () => {
  it("follows properties, items, records and nullable unions", () => {
    expect(checkSchemaPath(order, ["customer", "name"])).toEqual({ result: "yes" });
    expect(checkSchemaPath(order, ["items", 0, "sku"])).toEqual({ result: "yes" });
    expect(checkSchemaPath(order, ["meta", "anything"])).toEqual({ result: "yes" });
    expect(checkSchemaPath(order, [])).toEqual({ result: "yes" });
  });

  it("rules out fields a closed object does not have, naming the known ones", () => {
    expect(checkSchemaPath(order, ["customer", "nmae"])).toEqual({
      result: "no",
      at: 1,
      known: ["name", "email"],
    });
    expect(checkSchemaPath(order, ["items", 0, "price"])).toEqual({
      result: "no",
      at: 2,
      known: ["sku", "qty"],
    });
    expect(checkSchemaPath(order, ["items", "sku"])).toMatchObject({ result: "no", at: 1 });
    expect(checkSchemaPath(order, ["id", "x"])).toMatchObject({ result: "no", at: 1 });
    expect(checkSchemaPath(order, ["note", "x"])).toMatchObject({ result: "no", at: 1 });
  });

  it("stays silent where the schema is open", () => {
    expect(checkSchemaPath({ type: "object", properties: { a: {} } }, ["b"])).toEqual({
      result: "unknown",
    });
    expect(checkSchemaPath({}, ["x", 1, "y"])).toEqual({ result: "unknown" });
    expect(checkSchemaPath({ type: "object", properties: { a: {} } }, ["a", "deep"])).toEqual({
      result: "unknown",
    });
    expect(checkSchemaPath(z.toJSONSchema(z.json()), ["a", 0, "b"])).toEqual({ result: "yes" });
  });

  it("follows local $refs, including recursive ones", () => {
    const tree = {
      $defs: {
        node: {
          type: "object",
          properties: { child: { $ref: "#/$defs/node" }, v: {} },
          additionalProperties: false,
        },
      },
      $ref: "#/$defs/node",
    };
    expect(checkSchemaPath(tree, ["child", "child", "v"])).toEqual({ result: "yes" });
    expect(checkSchemaPath(tree, ["child", "w"])).toEqual({
      result: "no",
      at: 1,
      known: ["child", "v"],
    });
  });
});
