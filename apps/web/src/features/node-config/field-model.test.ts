import { describe, expect, it } from "vitest";

import { catalogueEntries } from "@runnel/nodes";

import type { Field } from "./field-model";
import { configModel, emptyValue, labelFor, variantValue } from "./field-model";

function modelOf(type: string): Field {
  const entry = catalogueEntries().find((e) => e.type === type);
  if (!entry) throw new Error(`no node type ${type}`);
  return configModel(entry.configSchema, {
    credentials: entry.credentials,
    literal: entry.literalConfig,
  });
}

function child(field: Field, name: string): Field {
  if (field.kind !== "object") throw new Error(`${field.name} is ${field.kind}, not an object`);
  const found = field.fields.find((f) => f.name === name);
  if (!found) throw new Error(`no field ${name}`);
  return found;
}

describe("configModel over the real catalogue", () => {
  it("makes the LLM and agent nodes' model a field with the credential's models as options", () => {
    for (const type of ["llm_text", "llm_structured", "agent"]) {
      const llm = modelOf(type);
      expect(child(llm, "model"), type).toMatchObject({
        kind: "options",
        source: "models",
        dependsOn: "credential",
        required: true,
        expressions: true,
      });
      expect(child(llm, "credential"), type).toMatchObject({ kind: "credential" });
    }
  });

  it("makes an agent's mcp tool name a field with its server's tools as options", () => {
    const tools = child(modelOf("agent"), "tools");
    if (tools.kind !== "list") throw new Error("tools should be a list");
    const tool = tools.item;
    if (tool.kind !== "union") throw new Error("a tool should be a union");
    const mcp = tool.variants.find((variant) => variant.value === "mcp");
    expect(mcp?.fields.find((f) => f.name === "tool")).toMatchObject({
      kind: "options",
      source: "mcpTools",
      dependsOn: "server",
      required: false,
    });
  });

  it("ignores a ui hint naming an unknown option source: the field stays text", () => {
    const model = configModel({
      type: "object",
      properties: { region: { type: "string", ui: { options: "regions" } } },
    });
    expect(child(model, "region")).toMatchObject({ kind: "text" });
  });

  it("maps every HTTP request field to a control kind", () => {
    const http = modelOf("http_request");
    expect(child(http, "method")).toMatchObject({ kind: "enum", defaultValue: "GET" });
    expect(child(http, "url")).toMatchObject({ kind: "text", format: "uri", required: true });
    expect(child(http, "headers")).toMatchObject({ kind: "record", value: { kind: "text" } });
    expect(child(http, "timeoutMs")).toMatchObject({
      kind: "number",
      integer: true,
      minimum: 1,
      maximum: 300_000,
    });
    expect(child(http, "followRedirects")).toMatchObject({ kind: "boolean", defaultValue: true });
    expect(child(http, "bearerCredential")).toMatchObject({
      kind: "credential",
      credentialTypes: ["httpBearer"],
      expressions: false,
    });
    const body = child(http, "body");
    if (body.kind !== "union") throw new Error("body should be a union");
    expect(body.discriminator).toBe("type");
    expect(body.variants.map((v) => v.value)).toEqual(["none", "json", "text", "form"]);
    expect(body.variants[1]?.fields[0]).toMatchObject({ name: "json", kind: "json" });
    expect(body.variants[3]?.fields[0]).toMatchObject({ name: "fields", kind: "record" });
  });

  it("makes code and prompts multiline, and code literal", () => {
    expect(child(modelOf("code"), "code")).toMatchObject({
      kind: "text",
      multiline: true,
      code: true,
      expressions: false,
    });
    const llm = modelOf("llm_text");
    expect(child(llm, "prompt")).toMatchObject({
      kind: "text",
      multiline: true,
      expressions: true,
    });
    expect(child(llm, "credential")).toMatchObject({
      kind: "credential",
      credentialTypes: ["openai", "openaiCompatible", "anthropic", "gemini"],
    });
    expect(child(modelOf("llm_structured"), "schema")).toMatchObject({ kind: "json" });
  });

  it("handles lists of objects, multi-selects, nested objects and a union at the root", () => {
    const set = modelOf("set");
    const fields = child(set, "fields");
    expect(fields).toMatchObject({ kind: "list", item: { kind: "object" } });
    if (fields.kind !== "list" || fields.item.kind !== "object") throw new Error("list expected");
    expect(fields.item.fields.map((f) => [f.name, f.kind])).toEqual([
      ["name", "text"],
      ["value", "json"],
    ]);
    expect(child(set, "selected")).toMatchObject({ kind: "list", item: { kind: "text" } });
    expect(child(modelOf("webhook_trigger"), "methods")).toMatchObject({
      kind: "multi-enum",
      options: ["GET", "POST", "PUT", "PATCH", "DELETE"],
    });
    expect(child(modelOf("approval"), "timeout")).toMatchObject({ kind: "object" });
    expect(child(modelOf("switch"), "cases")).toMatchObject({ kind: "list", minItems: 1 });
    const wait = modelOf("wait");
    expect(wait).toMatchObject({ kind: "union", discriminator: "mode" });
    if (wait.kind !== "union") throw new Error("union expected");
    expect(wait.variants[0]?.fields[0]).toMatchObject({
      name: "duration",
      kind: "object",
    });
    expect(wait.variants[1]?.fields[0]).toMatchObject({ name: "until", kind: "text" });
  });

  it("builds a model for every node type without falling over", () => {
    for (const entry of catalogueEntries()) {
      const model = configModel(entry.configSchema, { credentials: entry.credentials });
      expect(["object", "union"]).toContain(model.kind);
    }
  });

  it("falls back to JSON for unions without a discriminator and for non-schemas", () => {
    expect(
      configModel({
        type: "object",
        properties: { x: { anyOf: [{ type: "string" }, { type: "number" }] } },
      }),
    ).toMatchObject({ kind: "object", fields: [{ name: "x", kind: "json" }] });
    expect(configModel(null)).toMatchObject({ kind: "object", fields: [] });
  });
});

describe("emptyValue and variantValue", () => {
  it("fills a new switch case and an HTTP body variant with their required fields", () => {
    const cases = child(modelOf("switch"), "cases");
    if (cases.kind !== "list") throw new Error("list expected");
    expect(emptyValue(cases.item)).toEqual({ name: "", when: false });
    const body = child(modelOf("http_request"), "body");
    if (body.kind !== "union") throw new Error("union expected");
    expect(variantValue(body, "text")).toEqual({ type: "text", text: "" });
    expect(variantValue(body, "form")).toEqual({ type: "form", fields: {} });
  });
});

describe("labelFor", () => {
  it("spells acronyms and units", () => {
    expect(labelFor("json")).toBe("JSON");
    expect(labelFor("timeoutMs")).toBe("Timeout (ms)");
    expect(labelFor("memoryMb")).toBe("Memory (MB)");
    expect(labelFor("maxResponseBytes")).toBe("Max response bytes");
    expect(labelFor("url")).toBe("URL");
  });
});
