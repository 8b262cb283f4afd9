import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import SwaggerParser from "@apidevtools/swagger-parser";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { FlowDefinitionInput } from "@runnel/engine";

import type { EngineHarness } from "../router/runs.fixtures";
import type { LoopbackServer } from "./serve.fixtures";
import { createEngineHarness, greetFlow, publishedFlow } from "../router/runs.fixtures";
import { createRestHandler, restRoutes } from "./handler";
import { operationIdFor } from "./openapi";
import { serveOnLoopback } from "./serve.fixtures";

let h: EngineHarness;
let server: LoopbackServer;
let ada: Awaited<ReturnType<EngineHarness["user"]>>;
let key: string;
let workDir: string;

/** API trigger (typed input and output, with a local $ref) → set → code. */
function typedFlow(): FlowDefinitionInput {
  const base = greetFlow();
  return {
    ...base,
    nodes: base.nodes.map((node) =>
      node.id === "start"
        ? {
            id: "start",
            type: "api_trigger",
            version: 1,
            name: "Start",
            config: {
              inputSchema: {
                $schema: "https://json-schema.org/draft/2020-12/schema",
                type: "object",
                properties: { name: { $ref: "#/$defs/Name" } },
                required: ["name"],
                $defs: { Name: { type: "string", minLength: 1 } },
              },
              outputSchema: {
                type: "object",
                properties: { loud: { type: "string" } },
                required: ["loud"],
              },
            },
          }
        : node,
    ),
  };
}

async function fetchDocument(): Promise<Record<string, unknown>> {
  const response = await fetch(`${server.url}/api/v1/openapi.json`, {
    headers: { authorization: `Bearer ${key}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  h = await createEngineHarness();
  server = await serveOnLoopback(
    createRestHandler({
      db: h.db,
      engine: h.engine,
      encryptionKey: h.encryptionKey,
      appUrl: "http://localhost:3000",
    }),
  );
  ada = await h.user("Ada");
  key = (await ada.caller.apiKeys.create({ name: "openapi" })).key;
  for (const [name, definition] of [
    ["Greet Api", typedFlow()],
    ["Plain Greeter", greetFlow()],
  ] as const) {
    const flowId = await publishedFlow(ada.caller, name, definition);
    await ada.caller.deployments.publish({ flowId });
  }
  workDir = await mkdtemp(join(import.meta.dirname, "..", "..", ".openapi-test-"));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
  await server.close();
  await h.close();
});

describe("OpenAPI 3.1 document", () => {
  it("has one typed operation per deployed flow plus the run and approval operations, and is valid", async () => {
    const document = await fetchDocument();
    await SwaggerParser.validate(structuredClone(document) as never);
    const paths = document.paths as Record<string, Record<string, { operationId: string }>>;
    expect(paths["/api/v1/flows/greet-api/runs"]?.post?.operationId).toBe("runGreetApi");
    expect(paths["/api/v1/flows/plain-greeter/runs"]?.post?.operationId).toBe("runPlainGreeter");
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/runs/{id}",
        "/api/v1/runs/{id}/events",
        "/api/v1/runs/{id}/cancel",
        "/api/v1/approvals/{id}",
      ]),
    );
    const schemas = (document.components as { schemas: Record<string, unknown> }).schemas;
    expect(schemas.GreetApiInput).toMatchObject({
      properties: { name: { $ref: "#/components/schemas/GreetApiInput_Name" } },
    });
    expect(schemas.GreetApiInput_Name).toEqual({ type: "string", minLength: 1 });
    expect(schemas.GreetApiOutput).toMatchObject({ required: ["loud"] });
    // ?wait answers with the run, its output typed by the flow's output schema.
    const ok = (
      paths["/api/v1/flows/greet-api/runs"]?.post as unknown as {
        responses: Record<string, { content: Record<string, { schema: unknown }> }>;
      }
    ).responses["200"];
    expect(ok?.content["application/json"]?.schema).toEqual({
      $ref: "#/components/schemas/GreetApiRun",
    });
    expect(schemas.GreetApiRun).toMatchObject({
      required: expect.arrayContaining(["id", "status", "output"]) as unknown,
      properties: { output: { $ref: "#/components/schemas/GreetApiOutput" } },
    });
    expect(schemas.Problem).toMatchObject({
      required: expect.arrayContaining(["requestId"]) as unknown,
    });
  });

  it("lists 403 (missing scope) where a write scope is needed and 429 everywhere, as the handler answers", async () => {
    const document = await fetchDocument();
    type Operation = { responses: Record<string, unknown>; "x-required-scope": string };
    const paths = document.paths as Record<string, Record<string, Operation>>;
    const routes = restRoutes().filter((route) => route.path !== "/api/v1/openapi.json");
    const flowRun = routes.find((route) => route.path.startsWith("/api/v1/flows/"));
    let checked = 0;
    for (const [path, operations] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(operations)) {
        const route = path.startsWith("/api/v1/flows/")
          ? flowRun
          : routes.find((r) => r.path === path && r.method === method.toUpperCase());
        expect(route, `${method} ${path} is a handler route`).toBeDefined();
        expect(op["x-required-scope"]).toBe(route?.scope);
        expect(Object.keys(op.responses)).toContain("429");
        expect(Object.keys(op.responses).includes("403")).toBe(route?.scope === "runs:write");
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(6);

    // The documented 403 is what a read-only key gets, with the documented `requiredScope`.
    const reader = (await ada.caller.apiKeys.create({ name: "reader", scopes: ["runs:read"] })).key;
    const response = await fetch(`${server.url}/api/v1/flows/greet-api/runs`, {
      method: "POST",
      headers: { authorization: `Bearer ${reader}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "x" }),
    });
    expect(response.status).toBe(403);
    const problem = (await response.json()) as Record<string, unknown>;
    const schema = (document.components as { schemas: { Problem: { properties: object } } }).schemas
      .Problem;
    for (const field of Object.keys(problem))
      expect(Object.keys(schema.properties)).toContain(field);
    expect(problem.requiredScope).toBe("runs:write");
  });

  it("lists only the key's org's deployments", async () => {
    const eve = await h.user("Eve");
    const eveKey = (await eve.caller.apiKeys.create({ name: "eve" })).key;
    const response = await fetch(`${server.url}/api/v1/openapi.json`, {
      headers: { authorization: `Bearer ${eveKey}` },
    });
    const paths = Object.keys(((await response.json()) as { paths: object }).paths);
    expect(paths.some((path) => path.startsWith("/api/v1/flows/"))).toBe(false);
  });

  it("generates types with openapi-typescript that type a call made with openapi-fetch against the live server", async () => {
    const document = await fetchDocument();
    const types = astToString(await openapiTS(JSON.stringify(document)));
    expect(types).toContain("runGreetApi");
    await writeFile(join(workDir, "api.ts"), types);
    const clientFile = join(workDir, "call.ts");
    await writeFile(
      clientFile,
      [
        'import createClient from "openapi-fetch";',
        'import type { paths } from "./api";',
        "export async function greet(baseUrl: string, apiKey: string, name: string) {",
        "  const client = createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${apiKey}` } });",
        '  const { data, error, response } = await client.POST("/api/v1/flows/greet-api/runs", {',
        "    params: { query: { wait: 30 } },",
        "    body: { name },",
        "  });",
        '  const loud: string | undefined = response.status === 200 && data && "output" in data ? data.output.loud : undefined;',
        "  return { status: response.status, loud, error };",
        "}",
        "export function wrong(baseUrl: string) {",
        "  const client = createClient<paths>({ baseUrl });",
        "  // @ts-expect-error name is a string in the flow's input schema",
        '  return client.POST("/api/v1/flows/greet-api/runs", { body: { name: 42 } });',
        "}",
        "",
      ].join("\n"),
    );
    const program = ts.createProgram([clientFile], {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
    });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    expect(diagnostics).toEqual([]);

    const generated = (await import(pathToFileURL(clientFile).href)) as {
      greet: (
        baseUrl: string,
        apiKey: string,
        name: string,
      ) => Promise<{ status: number; loud?: string }>;
    };
    expect(await generated.greet(server.url, key, "typed")).toMatchObject({
      status: 200,
      loud: "HELLO TYPED",
    });
    const invalid = await generated.greet(server.url, key, "");
    expect(invalid.status).toBe(400);
  });

  it("derives operation ids from slugs", () => {
    expect(operationIdFor("greet-people")).toBe("runGreetPeople");
    expect(operationIdFor("a1-b2")).toBe("runA1B2");
  });
});
