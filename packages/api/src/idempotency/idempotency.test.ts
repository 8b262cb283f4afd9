/**
 * Idempotency like Stripe's on every way a run starts (docs/rest.md, "Idempotency"): REST and webhooks over real
 * HTTP on loopback, tRPC `runs.start` through the router, all on one engine and database.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { FlowDefinitionInput } from "@runnel/engine";
import { and, eq, sql } from "@runnel/db";
import { idempotencyKeys, runs } from "@runnel/db/schema";

import type { LoopbackServer } from "../rest/serve.fixtures";
import type { EngineHarness } from "../router/runs.fixtures";
import { createHookHandler } from "../hooks/handler";
import { signWebhook } from "../hooks/signature";
import { createRestHandler } from "../rest/handler";
import { serveOnLoopback } from "../rest/serve.fixtures";
import { createEngineHarness, greetFlow, publishedFlow } from "../router/runs.fixtures";

let h: EngineHarness;
let rest: LoopbackServer;
let hooks: LoopbackServer;
let ada: Awaited<ReturnType<EngineHarness["user"]>>;
let adaKey: string;

const REPLAYED = "idempotent-replayed";

function api(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${rest.url}/api/v1${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${adaKey}`, "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function deploy(name: string) {
  const flowId = await publishedFlow(ada.caller, name, greetFlow());
  const deployment = await ada.caller.deployments.publish({ flowId });
  return { flowId, slug: deployment.slug };
}

/** webhook trigger → respond (201 with the delivered name). */
function hookFlow(config: Record<string, string>): FlowDefinitionInput {
  return {
    nodes: [
      { id: "hook", type: "webhook_trigger", version: 1, name: "Hook", config },
      {
        id: "answer",
        type: "respond",
        version: 1,
        name: "Answer",
        config: { status: 201, body: { hello: "{{ trigger.body.name }}" } },
      },
    ],
    edges: [{ id: "e1", source: "hook", sourcePort: "out", target: "answer", targetPort: "in" }],
  };
}

async function hookOf(name: string, config: Record<string, string> = {}) {
  const flowId = await publishedFlow(ada.caller, name, hookFlow(config));
  const { webhooks } = await ada.caller.triggers.list({ flowId });
  const webhook = webhooks[0];
  if (!webhook) throw new Error(`flow ${name} has no webhook row`);
  return { flowId, triggerId: webhook.id, url: `${hooks.url}/api/hooks/${webhook.hookId}` };
}

const runsOf = (flowId: string) => h.db.select().from(runs).where(eq(runs.flowId, flowId));

/** Ages a remembered key past its expiry, as 24 hours would. */
const expire = (key: string) =>
  h.db
    .update(idempotencyKeys)
    .set({ expiresAt: sql`now() - interval '1 second'` })
    .where(and(eq(idempotencyKeys.orgId, ada.orgId), eq(idempotencyKeys.key, key)));

beforeAll(async () => {
  h = await createEngineHarness();
  const deps = {
    db: h.db,
    engine: h.engine,
    encryptionKey: h.encryptionKey,
    appUrl: "http://localhost:3000",
  };
  rest = await serveOnLoopback(createRestHandler(deps));
  hooks = await serveOnLoopback(createHookHandler(deps));
  ada = await h.user("Ada");
  adaKey = (await ada.caller.apiKeys.create({ name: "rest" })).key;
}, 120_000);

afterAll(async () => {
  await rest.close();
  await hooks.close();
  await h.close();
});

describe("REST run starts", () => {
  it("a repeat returns the first answer with Idempotent-Replayed: true (key order in the body does not matter)", async () => {
    const { slug, flowId } = await deploy("Idem Replay");
    const first = await api(
      `/flows/${slug}/runs?wait=30`,
      { name: "ada", extra: 1 },
      { "idempotency-key": "r-1" },
    );
    expect(first.status).toBe(200);
    expect(first.headers.get(REPLAYED)).toBeNull();
    const firstBody: unknown = await first.json();
    const again = await api(`/flows/${slug}/runs?wait=30`, '{ "extra": 1, "name": "ada" }', {
      "idempotency-key": "r-1",
    });
    expect(again.status).toBe(200);
    expect(again.headers.get(REPLAYED)).toBe("true");
    expect(await again.json()).toEqual(firstBody);
    expect(await runsOf(flowId)).toHaveLength(1);
  });

  it("a key reused with a different body is 409 problem+json and starts nothing", async () => {
    const { slug, flowId } = await deploy("Idem Conflict");
    expect(
      (await api(`/flows/${slug}/runs`, { name: "a" }, { "idempotency-key": "r-2" })).status,
    ).toBe(202);
    const reused = await api(`/flows/${slug}/runs`, { name: "b" }, { "idempotency-key": "r-2" });
    expect(reused.status).toBe(409);
    expect(reused.headers.get("content-type")).toBe("application/problem+json");
    expect(await reused.json()).toMatchObject({
      type: "urn:runnel:problem:idempotency-key-reused",
      status: 409,
      idempotencyKey: "r-2",
      detail: expect.stringMatching(
        /^Idempotency-Key "r-2" was first used at .*different target or body/,
      ) as string,
    });
    // The same key on another flow is another request too.
    const other = await deploy("Idem Conflict Other");
    expect(
      (await api(`/flows/${other.slug}/runs`, { name: "a" }, { "idempotency-key": "r-2" })).status,
    ).toBe(409);
    expect(await runsOf(flowId)).toHaveLength(1);
    expect(await runsOf(other.flowId)).toHaveLength(0);
  });

  it("after the key expires, a reuse starts a new run (with any body)", async () => {
    const { slug, flowId } = await deploy("Idem Expiry");
    const first = (await (
      await api(`/flows/${slug}/runs`, { name: "a" }, { "idempotency-key": "r-3" })
    ).json()) as {
      runId: string;
    };
    await expire("r-3");
    const later = await api(`/flows/${slug}/runs`, { name: "b" }, { "idempotency-key": "r-3" });
    expect(later.status).toBe(202);
    expect(later.headers.get(REPLAYED)).toBeNull();
    const { runId } = (await later.json()) as { runId: string };
    expect(runId).not.toBe(first.runId);
    expect(await runsOf(flowId)).toHaveLength(2);
  });

  it("20 identical requests at once over HTTP make one run; all but one answer as replays", async () => {
    const { slug, flowId } = await deploy("Idem Race");
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        api(`/flows/${slug}/runs`, { name: "race" }, { "idempotency-key": "r-4" }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 20 }, () => 202));
    const ids = await Promise.all(
      answers.map(async (a) => ((await a.json()) as { runId: string }).runId),
    );
    expect(new Set(ids).size).toBe(1);
    expect(answers.filter((a) => a.headers.get(REPLAYED) === "true")).toHaveLength(19);
    expect(await runsOf(flowId)).toHaveLength(1);
  });

  it("refuses an unusable key with 400 naming the header", async () => {
    const { slug, flowId } = await deploy("Idem Bad Key");
    const long = await api(
      `/flows/${slug}/runs`,
      { name: "a" },
      { "idempotency-key": "k".repeat(201) },
    );
    expect(long.status).toBe(400);
    expect(await long.json()).toMatchObject({
      errors: [{ path: "Idempotency-Key", message: "must be 1 to 200 characters" }],
    });
    expect(await runsOf(flowId)).toHaveLength(0);
  });
});

describe("tRPC runs.start", () => {
  it("shares the REST key space: the same flow and input replays, another input is CONFLICT", async () => {
    const { slug, flowId } = await deploy("Idem Trpc");
    const viaRest = (await (
      await api(`/flows/${slug}/runs`, { name: "t" }, { "idempotency-key": "t-1" })
    ).json()) as {
      runId: string;
    };
    const viaTrpc = await ada.caller.runs.start({
      flowId,
      input: { name: "t" },
      idempotencyKey: "t-1",
    });
    expect(viaTrpc).toMatchObject({ id: viaRest.runId, replayed: true });
    await expect(
      ada.caller.runs.start({ flowId, input: { name: "u" }, idempotencyKey: "t-1" }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/^Idempotency-Key "t-1"/) as string,
    });
    const fresh = await ada.caller.runs.start({
      flowId,
      input: { name: "v" },
      idempotencyKey: "t-2",
    });
    expect(fresh.replayed).toBe(false);
    const parallel = await Promise.all(
      Array.from({ length: 6 }, () =>
        ada.caller.runs.start({ flowId, input: { name: "w" }, idempotencyKey: "t-3" }),
      ),
    );
    expect(new Set(parallel.map((run) => run.id)).size).toBe(1);
    expect(await runsOf(flowId)).toHaveLength(3);
    await expect(ada.caller.runs.start({ flowId, idempotencyKey: "" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});

describe("webhook deliveries", () => {
  const post = (url: string, body: string, headers: Record<string, string> = {}) =>
    fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });

  it("the same signed delivery sent twice makes one run; a new signature of the same body is a new delivery", async () => {
    const { url, flowId, triggerId } = await hookOf("Idem Signed");
    const { secret } = await ada.caller.triggers.rotateSecret({ id: triggerId });
    const body = JSON.stringify({ name: "signed" });
    const now = Math.floor(Date.now() / 1000);
    const signature = signWebhook(secret, body, now);
    const first = await post(url, body, { "x-runnel-signature": signature });
    const again = await post(url, body, { "x-runnel-signature": signature });
    expect([first.status, again.status]).toEqual([202, 202]);
    expect(first.headers.get(REPLAYED)).toBeNull();
    expect(again.headers.get(REPLAYED)).toBe("true");
    expect(await again.json()).toEqual(await first.json());
    const resent = await post(url, body, {
      "x-runnel-signature": signWebhook(secret, body, now - 1),
    });
    expect(resent.headers.get(REPLAYED)).toBeNull();
    expect(await runsOf(flowId)).toHaveLength(2);
  });

  it("deduplicates by webhook-id, X-GitHub-Delivery and Stripe event ids; another body under one id is 409", async () => {
    const { url, flowId } = await hookOf("Idem Sender Ids");
    const body = JSON.stringify({ name: "x" });
    const senders: Record<string, string>[] = [
      { "webhook-id": "msg_1" },
      { "x-github-delivery": "72d3162e" },
    ];
    for (const headers of senders) {
      expect((await post(url, body, headers)).headers.get(REPLAYED)).toBeNull();
      expect((await post(url, body, headers)).headers.get(REPLAYED)).toBe("true");
    }
    const event = JSON.stringify({ id: "evt_1Nq", type: "charge.succeeded" });
    const stripe = { "stripe-signature": "t=1,v1=unchecked" };
    expect((await post(url, event, stripe)).headers.get(REPLAYED)).toBeNull();
    expect((await post(url, event, stripe)).headers.get(REPLAYED)).toBe("true");
    const conflict = await post(url, JSON.stringify({ name: "y" }), { "webhook-id": "msg_1" });
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toMatchObject({
      type: "urn:runnel:problem:idempotency-key-reused",
    });
    expect(await runsOf(flowId)).toHaveLength(3);
  });

  it("an unsigned delivery with nothing identifying it runs every time", async () => {
    const { url, flowId } = await hookOf("Idem Plain");
    await post(url, "{}");
    await post(url, "{}");
    expect(await runsOf(flowId)).toHaveLength(2);
  });

  it("with respond_node, a replay answers with the Respond node's status and body again; 8 at once make one run", async () => {
    const { url, flowId } = await hookOf("Idem Respond", { respondMode: "respond_node" });
    const body = JSON.stringify({ name: "grace" });
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => post(url, body, { "idempotency-key": "d-1" })),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(201);
      expect(await answer.json()).toEqual({ hello: "grace" });
    }
    expect(answers.filter((a) => a.headers.get(REPLAYED) === "true")).toHaveLength(7);
    expect(await runsOf(flowId)).toHaveLength(1);
  });
});
