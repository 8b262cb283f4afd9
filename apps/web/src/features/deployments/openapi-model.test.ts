import { describe, expect, it } from "vitest";

import {
  apiReferenceModel,
  exampleFromSchema,
  resolveRef,
  schemaRows,
  typeLabel,
} from "./openapi-model";

const doc = {
  openapi: "3.1.0",
  info: { title: "Runnel REST API", description: "Runs" },
  servers: [{ url: "http://localhost:3000" }],
  components: {
    securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "An API key" } },
    schemas: {
      GreetInput: {
        type: "object",
        required: ["name"],
        properties: {
          name: { type: "string", description: "Who to greet" },
          tags: { type: "array", items: { type: "string" } },
          address: { $ref: "#/components/schemas/GreetInput_Address" },
          mood: { type: "string", enum: ["happy", "sad"] },
        },
      },
      GreetInput_Address: {
        type: "object",
        properties: { city: { type: ["string", "null"] } },
      },
      Loop: { $ref: "#/components/schemas/Loop" },
    },
  },
  paths: {
    "/api/v1/flows/greet/runs": {
      post: {
        operationId: "runGreet",
        summary: "Run Greet",
        parameters: [{ name: "wait", in: "query", schema: { type: "number" } }],
        requestBody: {
          content: { "application/json": { schema: { $ref: "#/components/schemas/GreetInput" } } },
        },
        responses: { "202": { description: "Started" }, "401": { description: "No key" } },
      },
    },
  },
};

describe("openapi model", () => {
  it("resolves references and stops on loops", () => {
    expect(resolveRef(doc, { $ref: "#/components/schemas/GreetInput_Address" })).toHaveProperty(
      "properties",
    );
    expect(resolveRef(doc, { $ref: "#/components/schemas/Loop" })).toEqual({});
    expect(resolveRef(doc, { $ref: "#/nowhere" })).toEqual({});
  });

  it("labels types", () => {
    expect(typeLabel(doc, { type: "array", items: { type: "string" } })).toBe("array of string");
    expect(typeLabel(doc, { type: ["string", "null"] })).toBe("string | null");
    expect(typeLabel(doc, { enum: ["a", "b"] })).toBe('enum: "a", "b"');
    expect(typeLabel(doc, { type: "string", format: "date-time" })).toBe("string (date-time)");
  });

  it("flattens a schema into rows with nested properties", () => {
    expect(schemaRows(doc, { $ref: "#/components/schemas/GreetInput" })).toEqual([
      { name: "name", type: "string", required: true, description: "Who to greet" },
      { name: "tags", type: "array of string", required: false, description: "" },
      { name: "address", type: "object", required: false, description: "" },
      { name: "address.city", type: "string | null", required: false, description: "" },
      { name: "mood", type: 'enum: "happy", "sad"', required: false, description: "" },
    ]);
  });

  it("makes an example body", () => {
    expect(exampleFromSchema(doc, { $ref: "#/components/schemas/GreetInput" })).toEqual({
      name: "string",
      tags: ["string"],
      address: { city: "string" },
      mood: "happy",
    });
  });

  it("lists operations with parameters, body and responses, and the auth scheme", () => {
    const model = apiReferenceModel(doc);
    expect(model.serverUrl).toBe("http://localhost:3000");
    expect(model.security).toEqual([{ name: "apiKey", description: "HTTP bearer: An API key" }]);
    const [operation] = model.operations;
    expect(operation).toMatchObject({
      id: "runGreet",
      method: "POST",
      path: "/api/v1/flows/greet/runs",
      parameters: [{ name: "wait", in: "query", required: false, type: "number" }],
      responses: [
        { status: "202", description: "Started", mediaType: null, rows: [] },
        { status: "401", description: "No key", mediaType: null, rows: [] },
      ],
    });
    expect(operation?.requestBody?.rows.map((row) => row.name)).toContain("address.city");
  });
});
