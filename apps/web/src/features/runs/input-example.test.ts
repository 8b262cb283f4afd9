import { describe, expect, it } from "vitest";

import { exampleFromSchema, parseTestInput } from "./input-example";

describe("test input example", () => {
  it("fills every property with a placeholder of its type", () => {
    expect(
      exampleFromSchema({
        type: "object",
        properties: {
          name: { type: "string" },
          email: { type: "string", format: "email" },
          age: { type: "integer", minimum: 18 },
          tags: { type: "array", items: { type: "string" } },
          vip: { type: "boolean" },
          plan: { enum: ["free", "pro"] },
          address: { type: "object", properties: { city: { type: "string", default: "Paris" } } },
          note: { type: ["string", "null"] },
        },
      }),
    ).toEqual({
      name: "",
      email: "someone@example.com",
      age: 18,
      tags: [""],
      vip: false,
      plan: "free",
      address: { city: "Paris" },
      note: "",
    });
  });

  it("prefers the schema's own example", () => {
    expect(exampleFromSchema({ type: "object", examples: [{ name: "Ada" }] })).toEqual({
      name: "Ada",
    });
    expect(exampleFromSchema({ type: "object" })).toEqual({});
    expect(exampleFromSchema(undefined)).toBeNull();
  });

  it("says where the JSON breaks", () => {
    expect(parseTestInput('{"name": "Ada"}')).toEqual({ ok: true, value: { name: "Ada" } });
    expect(parseTestInput("  ")).toEqual({ ok: true, value: {} });
    const bad = parseTestInput('{"name": }');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/^The input is not valid JSON: /);
  });
});
