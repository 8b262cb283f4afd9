import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createServer } from "node:http";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { eq } from "@runnel/db";
import { memberships, runs } from "@runnel/db/schema";

import type { AppRouter } from "../root";
import type { EngineHarness } from "./runs.fixtures";
import { appRouter } from "../root";
import { transformer } from "../transformer";
import { createTRPCContext } from "../trpc";
import { approvalFlow, createEngineHarness, publishedFlow } from "./runs.fixtures";

/** The signed-in user of a request, for this test server only (the app reads it from the next-auth session). */
const TEST_SESSION_HEADER = "x-test-session-user";

let t: EngineHarness;
let server: Server;
let base: string;

beforeAll(async () => {
  t = await createEngineHarness();
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === "string") headers.set(name, value);
      }
      const userId = headers.get(TEST_SESSION_HEADER);
      const request = new Request(`http://127.0.0.1${req.url ?? "/"}`, {
        method: req.method,
        headers,
        body: req.method === "GET" ? undefined : Buffer.concat(chunks),
      });
      void fetchRequestHandler({
        endpoint: "/api/trpc",
        req: request,
        router: appRouter,
        createContext: () =>
          createTRPCContext({
            headers,
            db: t.db,
            session: userId ? { userId } : null,
            encryptionKey: t.encryptionKey,
            appUrl: "http://localhost:3000",
            engine: t.engine,
          }),
      })
        .then(async (response) => {
          res.writeHead(response.status, { "content-type": "application/json" });
          res.end(Buffer.from(await response.arrayBuffer()));
        })
        .catch((error: unknown) => res.writeHead(500).end(String(error)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/trpc`;
}, 120_000);
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await t.close();
});

function clientAs(userId: string) {
  return createTRPCClient<AppRouter>({
    links: [httpBatchLink({ url: base, transformer, headers: { [TEST_SESSION_HEADER]: userId } })],
  });
}

/** A GET of one query the way a browser's batch link sends it, answered as raw status + body. */
async function rawQuery(path: string, userId: string) {
  const input = encodeURIComponent(JSON.stringify({ 0: transformer.serialize(undefined) }));
  const response = await fetch(`${base}/${path}?batch=1&input=${input}`, {
    headers: { [TEST_SESSION_HEADER]: userId },
  });
  return { status: response.status, text: await response.text() };
}

describe("approvals.pending over real HTTP", () => {
  it("answers 200 with data under review holding constructor/prototype/__proto__ keys, exactly as sent, without polluting prototypes", async () => {
    const owner = await t.user("Hana");
    const flowId = await publishedFlow(owner.caller, "Classes", approvalFlow([owner.email]));
    const client = clientAs(owner.userId);
    // A payload such as a webhook body or an HTTP response: keys superjson alone refuses to serialize.
    const input = {
      name: "v1",
      constructor: { name: "Widget" },
      schema: { properties: { prototype: { type: "string" } } },
      raw: JSON.parse('{"__proto__": {"polluted": "yes"}, "ok": true}') as unknown,
    };
    const run = await owner.caller.runs.start({ flowId, input });
    await t.waitFor(owner.orgId, run.id, (status) => status === "waiting");

    const raw = await rawQuery("approvals.pending", owner.userId);
    expect(raw.status, raw.text).toBe(200);

    // Batched with another query, as the nav badge's poll is: one bad value used to fail the whole batch.
    const [pending, me] = await Promise.all([
      client.approvals.pending.query(),
      client.me.get.query(),
    ]);
    expect(me.user.id).toBe(owner.userId);
    expect(pending).toHaveLength(1);
    const data = pending[0]?.data as typeof input;
    expect(data).toEqual(input);
    expect(Object.keys(data.raw as object).sort()).toEqual(["__proto__", "ok"]);
    expect(Object.getPrototypeOf(data.raw)).toBe(Object.prototype);
    expect(pending[0]?.createdAt).toBeInstanceOf(Date);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    // Polls racing the decision all succeed; afterwards the approval is decided, with the same data.
    const id = pending[0]?.id ?? "";
    const results = await Promise.all([
      ...Array.from({ length: 4 }, () => client.approvals.pending.query()),
      client.approvals.decide.mutate({ id, decision: "approve" }),
      ...Array.from({ length: 4 }, () => client.approvals.pending.query()),
    ]);
    expect(results).toHaveLength(9);
    expect(await client.approvals.pending.query()).toEqual([]);
    const [decided] = await client.approvals.decided.query();
    expect(decided).toMatchObject({ id, status: "approved", data: input });
    expect((await t.waitFor(owner.orgId, run.id)).status).toBe("succeeded");
    const detail = await client.runs.get.query({ id: run.id });
    expect(detail.steps.find((step) => step.nodeId === "ask")?.input).toEqual({ in: input });
  });

  it("lists the approval of a deleted flow's waiting run (200); once the run row is gone, its approval is too", async () => {
    const owner = await t.user("Dina");
    const flowId = await publishedFlow(owner.caller, "Doomed", approvalFlow([owner.email]));
    const run = await owner.caller.runs.start({ flowId, input: { name: "v1" } });
    await t.waitFor(owner.orgId, run.id, (status) => status === "waiting");
    await owner.caller.flows.delete({ id: flowId });
    const client = clientAs(owner.userId);
    expect((await client.approvals.pending.query()).map((a) => a.runId)).toEqual([run.id]);

    await t.db.delete(runs).where(eq(runs.id, run.id));
    const raw = await rawQuery("approvals.pending", owner.userId);
    expect(raw.status, raw.text).toBe(200);
    expect(await client.approvals.pending.query()).toEqual([]);
  });

  it("a signed-in user without any org membership gets 403 FORBIDDEN, not a 500", async () => {
    const loner = await t.user("Lone");
    await t.db.delete(memberships).where(eq(memberships.userId, loner.userId));
    const raw = await rawQuery("approvals.pending", loner.userId);
    expect(raw.status).toBe(403);
    expect(raw.text).toContain("You are not a member of any org");
  });
});
