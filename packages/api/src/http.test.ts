import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createServer } from "node:http";
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { users } from "@runnel/db/schema";

import type { Harness } from "../test/harness";
import type { AppRouter } from "./root";
import { APP_URL, createHarness } from "../test/harness";
import { appRouter } from "./root";
import { createTRPCContext } from "./trpc";

let t: Harness;
let server: Server;
let base: string;

/** node:http → fetch Request → tRPC's fetch adapter → node:http response (what Next's route handler does). */
async function handle(req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === "string") headers.set(name, value);
  }
  const request = new Request(`http://127.0.0.1${req.url ?? "/"}`, {
    method: req.method,
    headers,
    body: req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks),
  });
  const response = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    createContext: ({ req: r }) =>
      createTRPCContext({
        headers: r.headers,
        db: t.db,
        session: null,
        encryptionKey: t.encryptionKey,
        appUrl: APP_URL,
      }),
  });
  response.headers.forEach((value, name) => res.setHeader(name, value));
  res.writeHead(response.status);
  res.end(Buffer.from(await response.arrayBuffer()));
}

beforeAll(async () => {
  t = await createHarness();
  server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/trpc`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await t.close();
});

function clientWithKey(key: string) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: base,
        transformer: superjson,
        headers: { authorization: `Bearer ${key}` },
      }),
    ],
  });
}

async function rawGet(path: string, authorization?: string) {
  const response = await fetch(`${base}/${path}`, {
    headers: authorization ? { authorization } : {},
  });
  return {
    status: response.status,
    body: (await response.json()) as { error?: { json?: { data?: { code?: string } } } },
  };
}

describe("tRPC over real HTTP with a Bearer API key", () => {
  it("acts in the key's org as editor: me.get, credentials.create/list (never the secret)", async () => {
    const ada = await t.user("Ada");
    const { key, id: keyId } = await ada.caller.apiKeys.create({ name: "http" });
    const client = clientWithKey(key);
    const me = await client.me.get.query();
    expect(me.activeOrg).toMatchObject({ id: ada.orgId, role: "editor" });
    expect(me.user.id).toBe(ada.userId);
    expect(me.apiKey).toMatchObject({ id: keyId, name: "http" });
    expect(me.orgs).toEqual([me.activeOrg]);

    const created = await client.credentials.create.mutate({
      type: "httpBearer",
      name: "svc",
      data: { token: "tok-SECRET-42" },
    });
    expect(created.createdAt).toBeInstanceOf(Date);
    const list = await client.credentials.list.query();
    expect(list.map((c) => c.id)).toEqual([created.id]);
    expect(JSON.stringify([created, list])).not.toContain("tok-SECRET-42");
    const actions = await t.auditActions(ada.orgId);
    expect(actions).toContain("credential.created");
  });

  it("answers FORBIDDEN (403) for admin-only procedures, NOT_FOUND (404) for another org's ids, field errors for bad data", async () => {
    const ada = await t.user("Ada");
    const eve = await t.user("Eve");
    const evesCredential = await eve.caller.credentials.create({
      type: "httpBearer",
      name: "e",
      data: { token: "t" },
    });
    const client = clientWithKey((await ada.caller.apiKeys.create({ name: "k" })).key);

    const forbidden = await client.apiKeys.create.mutate({ name: "more" }).catch((e: unknown) => e);
    expect(forbidden).toBeInstanceOf(TRPCClientError);
    expect((forbidden as TRPCClientError<AppRouter>).data).toMatchObject({
      code: "FORBIDDEN",
      httpStatus: 403,
    });

    const notFound = await client.credentials.delete
      .mutate({ id: evesCredential.id })
      .catch((e: unknown) => e);
    expect((notFound as TRPCClientError<AppRouter>).data).toMatchObject({
      code: "NOT_FOUND",
      httpStatus: 404,
    });
    expect(await eve.caller.credentials.list()).toHaveLength(1);

    const invalid = await client.credentials.create
      .mutate({ type: "openai", name: "o", data: {} })
      .catch((e: unknown) => e);
    expect((invalid as TRPCClientError<AppRouter>).data?.zodError?.fieldErrors).toEqual({
      "data.apiKey": ["Invalid input: expected string, received undefined"],
    });
  });

  it("a revoked key gets 401 at once; no credentials also get 401", async () => {
    const ada = await t.user("Ada");
    const { key, id } = await ada.caller.apiKeys.create({ name: "short-lived" });
    expect((await rawGet("me.get", `Bearer ${key}`)).status).toBe(200);
    await ada.caller.apiKeys.revoke({ id });
    const revoked = await rawGet("me.get", `Bearer ${key}`);
    expect(revoked.status).toBe(401);
    expect(revoked.body.error?.json?.data?.code).toBe("UNAUTHORIZED");
    // Even a public procedure refuses a bad key rather than running signed out.
    const previewInput = encodeURIComponent(JSON.stringify({ json: { token: "x".repeat(43) } }));
    expect((await rawGet("orgs.invitePreview", undefined)).status).toBe(400);
    expect((await rawGet(`orgs.invitePreview?input=${previewInput}`)).status).toBe(404);
    expect((await rawGet(`orgs.invitePreview?input=${previewInput}`, `Bearer ${key}`)).status).toBe(
      401,
    );
    expect((await rawGet("me.get")).status).toBe(401);
  });

  it("refuses a cross-site style form post (not JSON) to a mutation without running it", async () => {
    const before = await t.db.select().from(users);
    for (const contentType of ["text/plain", "application/x-www-form-urlencoded"]) {
      const response = await fetch(`${base}/auth.signUp`, {
        method: "POST",
        headers: { "content-type": contentType },
        body: JSON.stringify({
          json: { name: "Csrf", email: "csrf@example.com", password: "password-123" },
        }),
      });
      expect(response.status).toBe(415);
    }
    expect(await t.db.select().from(users)).toEqual(before);
  });
});
