import { describe, expect, it } from "vitest";
import { z } from "zod";

import { collectData, humanize, schemaFields } from "./schema-fields";

describe("schemaFields", () => {
  it("reads the properties of a zod-generated JSON Schema in order", () => {
    const schema = z.toJSONSchema(
      z.object({
        apiKey: z.string().min(1).describe("Your OpenAI secret key"),
        baseUrl: z.url().optional(),
        username: z.string(),
        region: z.enum(["eu", "us"]),
      }),
    );
    expect(schemaFields(schema)).toEqual([
      {
        name: "apiKey",
        label: "API key",
        description: "Your OpenAI secret key",
        required: true,
        inputType: "password",
        options: undefined,
      },
      {
        name: "baseUrl",
        label: "Base URL",
        description: undefined,
        required: false,
        inputType: "url",
        options: undefined,
      },
      {
        name: "username",
        label: "Username",
        description: undefined,
        required: true,
        inputType: "text",
        options: undefined,
      },
      {
        name: "region",
        label: "Region",
        description: undefined,
        required: true,
        inputType: "password",
        options: ["eu", "us"],
      },
    ]);
  });

  it("gives no fields for something that is not an object schema", () => {
    expect(schemaFields(null)).toEqual([]);
    expect(schemaFields("string")).toEqual([]);
    expect(schemaFields({ type: "object" })).toEqual([]);
  });

  it("prefers a schema title over the humanized name", () => {
    expect(
      schemaFields({ properties: { token: { type: "string", title: "Bearer token" } } })[0]?.label,
    ).toBe("Bearer token");
    expect(humanize("http_header_name")).toBe("HTTP header name");
  });
});

describe("collectData", () => {
  it("takes data.<field> values and leaves blanks out", () => {
    const fields = schemaFields({
      properties: { apiKey: {}, baseUrl: { format: "uri" } },
      required: ["apiKey"],
    });
    const form = new FormData();
    form.set("data.apiKey", "sk-test");
    form.set("data.baseUrl", "");
    form.set("name", "ignored");
    expect(collectData(form, fields)).toEqual({ apiKey: "sk-test" });
  });
});
