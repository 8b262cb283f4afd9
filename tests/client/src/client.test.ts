import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { TestDb } from "@runnel/db/testing";
import { appRouter, createCallerFactory, createTRPCContext } from "@runnel/api";
import { createRunnelClient, isRunnelError } from "@runnel/client";
import { createTestDb } from "@runnel/db/testing";

import type { FlowDefinitionInput } from "./consumer";
import { palette, shipFlow } from "./consumer";

const encryptionKey = randomBytes(32);
let db: TestDb;
let server: Server;
let baseUrl: string;

/** The tRPC fetch handler on node:http, as apps/web serves it (responses streamed). */
async function handle(req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === "string") headers.set(name, value);
  }
  const response = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req: new Request(`http://127.0.0.1${req.url ?? "/"}`, {
      method: req.method,
      headers,
      body: req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks),
    }),
    router: appRouter,
    createContext: ({ req: r }) =>
      createTRPCContext({
        headers: r.headers,
        db: db.db,
        session: null,
        encryptionKey,
        appUrl: baseUrl,
      }),
  });
  response.headers.forEach((value, name) => res.setHeader(name, value));
  res.writeHead(response.status);
  const reader = response.body?.getReader();
  for (let part = await reader?.read(); part && !part.done; part = await reader?.read()) {
    res.write(part.value);
  }
  res.end();
}

/** A user signed up through the API and an API key of their org (what an admin does in the app). */
async function apiKey(name: string): Promise<string> {
  const createCaller = createCallerFactory(appRouter);
  const context = (userId?: string) =>
    createTRPCContext({
      headers: new Headers(),
      db: db.db,
      session: userId ? { userId } : null,
      encryptionKey,
      appUrl: baseUrl,
    });
  const { userId } = await createCaller(await context()).auth.signUp({
    name,
    email: `${name.toLowerCase()}-${randomBytes(4).toString("hex")}@example.com`,
    password: "correct-horse-9",
  });
  return (await createCaller(await context(userId)).apiKeys.create({ name: "client-test" })).key;
}

const definition: FlowDefinitionInput = {
  nodes: [
    { id: "start", type: "manual_trigger", version: 1, name: "Start", config: {} },
    {
      id: "greet",
      type: "set",
      version: 1,
      name: "Greet",
      config: { fields: [{ name: "greeting", value: "Hello {{ trigger.name }}" }] },
    },
  ],
  edges: [{ id: "e1", source: "start", sourcePort: "out", target: "greet", targetPort: "in" }],
};

beforeAll(async () => {
  db = await createTestDb();
  server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await db.close();
});

// Runs (start, watch over SSE) are not in the API router yet: the runtime's runs router comes later, and with it
// a test here that runs a flow through the client.
describe("@runnel/client against a real server", () => {
  it("creates a flow, saves a draft, validates, publishes and lists versions with an API key", async () => {
    const client = createRunnelClient({ baseUrl, apiKey: await apiKey("Ada") });
    const shipped = await shipFlow(client, "Greeter", definition);
    expect(shipped.problems).toEqual([]);
    expect(shipped.version).toMatchObject({ number: 1, message: "shipped by Greeter" });
    // superjson revives dates.
    expect(shipped.flow.createdAt).toBeInstanceOf(Date);

    const versions = await client.flows.versions.query({ id: shipped.flow.id });
    expect(versions.map((v) => v.number)).toEqual([1]);
    const listed = await client.flows.list.query({ search: "greet" });
    expect(listed.items).toEqual([
      expect.objectContaining({ id: shipped.flow.id, latestVersion: 1, deployed: false }),
    ]);
    const deployment = await client.deployments.publish.mutate({ flowId: shipped.flow.id });
    expect(deployment.endpoint).toBe("/api/v1/flows/greeter/runs");
    const exported = await client.flows.export.query({ id: shipped.flow.id, version: 1 });
    expect(exported.definition.nodes.map((n) => n.id)).toEqual(["start", "greet"]);

    const groups = await palette(client);
    expect(groups.trigger).toEqual(expect.arrayContaining(["manual_trigger", "webhook_trigger"]));
  });

  it("reports compile problems, refuses to publish them, and answers field errors and 401 as typed errors", async () => {
    const client = createRunnelClient({ baseUrl, apiKey: await apiKey("Bea") });
    const broken: FlowDefinitionInput = {
      nodes: [...definition.nodes, { id: "lonely", type: "set", version: 1, name: "Lonely" }],
      edges: definition.edges,
    };
    const shipped = await shipFlow(client, "Broken", broken);
    expect(shipped.version).toBeNull();
    expect(shipped.problems).toEqual([
      expect.objectContaining({ nodeId: "lonely", code: "unreachable", path: ["nodes", 2] }),
    ]);
    const refused = await client.flows.publish
      .mutate({ id: shipped.flow.id })
      .catch((error: unknown) => error);
    expect(isRunnelError(refused) && refused.data).toMatchObject({
      code: "BAD_REQUEST",
      httpStatus: 400,
      zodError: { fieldErrors: { "nodes.2": [expect.stringContaining("lonely")] } },
    });

    const invalid = await client.flows.saveDraft
      .mutate({ id: shipped.flow.id, definition: { nodes: [{ id: "9bad" } as never], edges: [] } })
      .catch((error: unknown) => error);
    expect(isRunnelError(invalid) && invalid.data?.zodError?.fieldErrors).toMatchObject({
      "definition.nodes.0.id": [expect.any(String)],
      "definition.nodes.0.type": [expect.any(String)],
    });

    const stranger = createRunnelClient({ baseUrl, apiKey: `rk_${"x".repeat(43)}` });
    const unauthorized = await stranger.flows.list.query().catch((error: unknown) => error);
    expect(isRunnelError(unauthorized) && unauthorized.data?.httpStatus).toBe(401);

    // Another org's key sees nothing of this org.
    const other = createRunnelClient({ baseUrl, apiKey: await apiKey("Eve") });
    const foreign = await other.flows.get.query({ id: shipped.flow.id }).catch((e: unknown) => e);
    expect(isRunnelError(foreign) && foreign.data?.code).toBe("NOT_FOUND");
  });
});
