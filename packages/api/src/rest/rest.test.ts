import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { and, eq } from "@runnel/db";
import { approvals, auditLog, runs } from "@runnel/db/schema";

import type { EngineHarness } from "../router/runs.fixtures";
import type { LoopbackServer } from "./serve.fixtures";
import {
  approvalFlow,
  createEngineHarness,
  greetFlow,
  publishedFlow,
  slowFlow,
} from "../router/runs.fixtures";
import { createRateLimits } from "../security/rate-limit";
import { createRestHandler, restRoutes } from "./handler";
import { serveOnLoopback } from "./serve.fixtures";

let h: EngineHarness;
let server: LoopbackServer;
let ada: Awaited<ReturnType<EngineHarness["user"]>>;
let adaKey: string;
let eveKey: string;

async function deploy(name: string, definition: Parameters<typeof publishedFlow>[2]) {
  const flowId = await publishedFlow(ada.caller, name, definition);
  const deployment = await ada.caller.deployments.publish({ flowId });
  return { flowId, slug: deployment.slug };
}

function api(path: string, init: RequestInit & { key?: string | null } = {}) {
  const headers = new Headers(init.headers);
  const key = init.key === undefined ? adaKey : init.key;
  if (key !== null) headers.set("authorization", `Bearer ${key}`);
  if (init.body !== undefined) headers.set("content-type", "application/json");
  return fetch(`${server.url}/api/v1${path}`, { ...init, headers });
}

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  requestId: string;
  errors?: { path: string; message: string }[];
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
  adaKey = (await ada.caller.apiKeys.create({ name: "rest" })).key;
  const eve = await h.user("Eve");
  eveKey = (await eve.caller.apiKeys.create({ name: "eve" })).key;
});

afterAll(async () => {
  await server.close();
  await h.close();
});

describe("REST v1", () => {
  it("refuses requests without a key, with an unknown key and with a revoked key: 401 problem+json with a request id", async () => {
    const none = await api("/runs/anything", { key: null });
    expect(none.status).toBe(401);
    expect(none.headers.get("content-type")).toBe("application/problem+json");
    const problem = (await none.json()) as Problem;
    expect(problem).toMatchObject({
      status: 401,
      title: "Unauthorized",
      instance: "/api/v1/runs/anything",
    });
    expect(problem.requestId).toBe(none.headers.get("x-request-id"));

    expect((await api("/runs/anything", { key: "rk_not_a_real_key_at_all" })).status).toBe(401);

    const created = await ada.caller.apiKeys.create({ name: "short-lived" });
    await ada.caller.apiKeys.revoke({ id: created.id });
    const revoked = await api("/runs/anything", { key: created.key });
    expect(revoked.status).toBe(401);
    expect(((await revoked.json()) as Problem).detail).toMatch(/revoked/);
  });

  it("starts a deployed flow by slug: 202 with Location, then GET shows it succeeded; the caller's request id is echoed", async () => {
    const { slug } = await deploy("Greet Async", greetFlow());
    const response = await api(`/flows/${slug}/runs`, {
      method: "POST",
      body: JSON.stringify({ name: "ada" }),
      headers: { "x-request-id": "req-123" },
    });
    expect(response.status).toBe(202);
    expect(response.headers.get("x-request-id")).toBe("req-123");
    const { runId, status } = (await response.json()) as { runId: string; status: string };
    expect(status).toBe("queued");
    expect(response.headers.get("location")).toBe(`/api/v1/runs/${runId}`);
    await h.waitFor(ada.orgId, runId);
    const run = await api(`/runs/${runId}`);
    expect(run.status).toBe(200);
    const body = (await run.json()) as {
      status: string;
      triggerKind: string;
      output: unknown;
      steps: { nodeId: string }[];
    };
    expect(body).toMatchObject({
      status: "succeeded",
      triggerKind: "api",
      output: { loud: "HELLO ADA" },
    });
    expect(body.steps.map((step) => step.nodeId)).toEqual(
      expect.arrayContaining(["start", "greet", "shout"]),
    );
    const actions = await h.auditActions(ada.orgId);
    expect(actions).toContain("run.started");
  });

  it("with ?wait returns 200 and the run resource (its output in output) when the run ends in time, by flow id too", async () => {
    const { flowId } = await deploy("Greet Sync", greetFlow());
    const response = await api(`/flows/${flowId}/runs?wait=30`, {
      method: "POST",
      body: JSON.stringify({ name: "grace" }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      id: response.headers.get("x-runnel-run-id"),
      flowId,
      status: "succeeded",
      triggerKind: "api",
      input: { name: "grace" },
      output: { loud: "HELLO GRACE" },
      error: null,
    });
    expect(body.steps).toBeUndefined();
    expect(response.headers.get("x-runnel-run-status")).toBe("succeeded");
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    // The same representation GET /runs/{id} gives (which adds the steps).
    const { steps: _steps, ...fetched } = (await (
      await api(`/runs/${String(body.id)}`)
    ).json()) as Record<string, unknown>;
    expect(body).toEqual(fetched);
  });

  it("with ?wait a flow ending in a Respond node answers 200 with the run; the Respond node's status, headers and body are its output, not the HTTP answer", async () => {
    const base = greetFlow();
    const { slug } = await deploy("Greet Respond", {
      nodes: [
        ...base.nodes.filter((node) => node.id !== "shout"),
        {
          id: "answer",
          type: "respond",
          version: 1,
          name: "Answer",
          config: { status: 201, headers: { "x-flow": "runnel" } },
        },
      ],
      edges: [
        ...base.edges.filter((edge) => edge.target !== "shout"),
        {
          id: "greet-answer",
          source: "greet",
          sourcePort: "out",
          target: "answer",
          targetPort: "in",
        },
      ],
    });
    const response = await api(`/flows/${slug}/runs?wait=30`, {
      method: "POST",
      body: JSON.stringify({ name: "lin" }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-flow")).toBeNull();
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({
      status: "succeeded",
      output: { status: 201, headers: { "x-flow": "runnel" }, body: { greeting: "hello lin" } },
    });
  });

  it("with ?wait answers 202 when the run is still going, and refuses a wait over 60 s", async () => {
    const { slug } = await deploy("Slow", slowFlow());
    const response = await api(`/flows/${slug}/runs?wait=1`, {
      method: "POST",
      body: JSON.stringify({ name: "x" }),
    });
    expect(response.status).toBe(202);
    const { runId } = (await response.json()) as { runId: string };
    expect(response.headers.get("location")).toBe(`/api/v1/runs/${runId}`);

    const tooLong = await api(`/flows/${slug}/runs?wait=61`, { method: "POST", body: "{}" });
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as Problem).errors).toEqual([
      { path: "wait", message: expect.any(String) as string },
    ]);
    expect(await h.db.select().from(runs).where(eq(runs.id, runId))).toHaveLength(1);
  });

  it("validates the body against the deployed input schema with field paths, and starts nothing", async () => {
    const { slug, flowId } = await deploy("Greet Checked", greetFlow());
    const response = await api(`/flows/${slug}/runs`, {
      method: "POST",
      body: JSON.stringify({ name: 42 }),
    });
    expect(response.status).toBe(400);
    const problem = (await response.json()) as Problem;
    expect(problem.type).toBe("urn:runnel:problem:validation");
    expect(problem.errors?.[0]?.path).toBe("name");
    const malformed = await api(`/flows/${slug}/runs`, { method: "POST", body: "{nope" });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as Problem).detail).toMatch(/not valid JSON/);
    expect(await h.db.select().from(runs).where(eq(runs.flowId, flowId))).toHaveLength(0);
  });

  it("runs only the published version: a flow definition in the body is just input", async () => {
    const { slug } = await deploy("Greet Safe", greetFlow());
    const evil = {
      nodes: [{ id: "x", type: "code", version: 1, name: "X", config: { code: "return 'pwned'" } }],
      edges: [],
    };
    const response = await api(`/flows/${slug}/runs?wait=30`, {
      method: "POST",
      body: JSON.stringify({ name: "bob", definition: evil, flowVersionId: "v-evil" }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ output: { loud: "HELLO BOB" } });
  });

  it("an Idempotency-Key returns the first run instead of starting another", async () => {
    const { slug, flowId } = await deploy("Greet Once", greetFlow());
    const send = () =>
      api(`/flows/${slug}/runs`, {
        method: "POST",
        body: JSON.stringify({ name: "once" }),
        headers: { "idempotency-key": "order-1" },
      }).then(async (response) => ((await response.json()) as { runId: string }).runId);
    const ids = await Promise.all([send(), send(), send()]);
    expect(new Set(ids).size).toBe(1);
    expect(await h.db.select().from(runs).where(eq(runs.flowId, flowId))).toHaveLength(1);
  });

  it("cancels a run; cancelling again reports cancelled: false", async () => {
    const { slug } = await deploy("Slow Cancel", slowFlow());
    const started = await api(`/flows/${slug}/runs`, {
      method: "POST",
      body: JSON.stringify({ name: "x" }),
    });
    const { runId } = (await started.json()) as { runId: string };
    await h.waitFor(ada.orgId, runId, (status) => status === "waiting");
    const cancel = await api(`/runs/${runId}/cancel`, { method: "POST" });
    expect(cancel.status).toBe(200);
    expect(await cancel.json()).toEqual({ id: runId, cancelled: true, status: "cancelled" });
    const again = await api(`/runs/${runId}/cancel`, { method: "POST" });
    expect(await again.json()).toMatchObject({ cancelled: false, status: "cancelled" });
  });

  it("streams run events as SSE until the run ends, and resumes after Last-Event-ID", async () => {
    const { slug } = await deploy("Greet Stream", greetFlow());
    const started = await api(`/flows/${slug}/runs`, {
      method: "POST",
      body: JSON.stringify({ name: "sse" }),
    });
    const { runId } = (await started.json()) as { runId: string };
    const stream = await api(`/runs/${runId}/events`);
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const frames = parseSse(await stream.text());
    expect(frames[0]?.event).toBe("run.queued");
    expect(frames.at(-1)?.event).toBe("run.succeeded");
    const seqs = frames.map((frame) => Number(frame.id));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(JSON.parse(frames.at(-1)?.data ?? "{}")).toMatchObject({
      type: "run.succeeded",
      payload: { output: { value: { loud: "HELLO SSE" } } },
    });
    const middle = frames[2];
    const resumed = parseSse(
      await (
        await api(`/runs/${runId}/events`, { headers: { "last-event-id": middle?.id ?? "" } })
      ).text(),
    );
    expect(resumed.map((frame) => frame.id)).toEqual(frames.slice(3).map((frame) => frame.id));
  });

  it("decides an approval: the run resumes; a second decision is 409; a bad body has field errors", async () => {
    const { slug } = await deploy("Ship", approvalFlow([ada.email]));
    const started = await api(`/flows/${slug}/runs`, {
      method: "POST",
      body: JSON.stringify({ name: "x" }),
    });
    const { runId } = (await started.json()) as { runId: string };
    await h.waitFor(ada.orgId, runId, (status) => status === "waiting");
    const [approval] = await h.db.select().from(approvals).where(eq(approvals.runId, runId));
    if (!approval) throw new Error("no approval row");
    const bad = await api(`/approvals/${approval.id}`, {
      method: "POST",
      body: JSON.stringify({ decision: "maybe" }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Problem).errors?.[0]?.path).toBe("decision");
    const decided = await api(`/approvals/${approval.id}`, {
      method: "POST",
      body: JSON.stringify({ decision: "approve", comment: "go" }),
    });
    expect(decided.status).toBe(200);
    expect(await decided.json()).toMatchObject({ id: approval.id, runId, status: "approved" });
    const run = await h.waitFor(ada.orgId, runId);
    expect(run.status).toBe("succeeded");
    const again = await api(`/approvals/${approval.id}`, {
      method: "POST",
      body: JSON.stringify({ decision: "reject" }),
    });
    expect(again.status).toBe(409);
    const audit = await h.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.orgId, ada.orgId), eq(auditLog.action, "approval.decided")));
    expect(audit).toHaveLength(1);
  });

  it("another org's key gets 404 on this org's flows, runs and approvals, with no side effect", async () => {
    const { slug, flowId } = await deploy("Private", slowFlow());
    const started = await api(`/flows/${slug}/runs`, {
      method: "POST",
      body: JSON.stringify({ name: "x" }),
    });
    const { runId } = (await started.json()) as { runId: string };
    await h.waitFor(ada.orgId, runId, (status) => status === "waiting");
    const asEve = (path: string, method = "GET", body?: string) =>
      api(path, { method, key: eveKey, ...(body !== undefined ? { body } : {}) });
    expect((await asEve(`/flows/${slug}/runs`, "POST", "{}")).status).toBe(404);
    expect((await asEve(`/flows/${flowId}/runs`, "POST", "{}")).status).toBe(404);
    expect((await asEve(`/runs/${runId}`)).status).toBe(404);
    expect((await asEve(`/runs/${runId}/events`)).status).toBe(404);
    expect((await asEve(`/runs/${runId}/cancel`, "POST")).status).toBe(404);
    expect((await asEve(`/approvals/${runId}`, "POST", '{"decision":"approve"}')).status).toBe(404);
    const [run] = await h.db.select().from(runs).where(eq(runs.id, runId));
    expect(run?.status).toBe("waiting");
    expect(await h.db.select().from(runs).where(eq(runs.flowId, flowId))).toHaveLength(1);
  });

  it("answers every route 401 without a key, before reading the body", async () => {
    const routes = restRoutes();
    expect(routes).toHaveLength(6);
    for (const route of routes) {
      const path = route.path.replace(/\{\w+\}/g, "x").replace(/^\/api\/v1/, "");
      const response = await api(path, {
        method: route.method,
        key: null,
        body: route.method === "GET" ? undefined : "{nope",
      });
      expect(response.status, `${route.method} ${route.path}`).toBe(401);
    }
  });

  it("counts requests per API key: over the budget answers 429 with Retry-After", async () => {
    const limited = await serveOnLoopback(
      createRestHandler({
        db: h.db,
        engine: h.engine,
        encryptionKey: h.encryptionKey,
        appUrl: "http://localhost:3000",
        rateLimits: createRateLimits({ apiKey: { points: 2, durationSeconds: 60 }, org: null }),
      }),
    );
    try {
      const get = () =>
        fetch(`${limited.url}/api/v1/runs/none`, {
          headers: { authorization: `Bearer ${adaKey}` },
        });
      expect((await get()).status).toBe(404);
      expect((await get()).status).toBe(404);
      const over = await get();
      expect(over.status).toBe(429);
      expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(await over.json()).toMatchObject({ status: 429, title: "Too many requests" });
      const other = await fetch(`${limited.url}/api/v1/runs/none`, {
        headers: { authorization: `Bearer ${eveKey}` },
      });
      expect(other.status).toBe(404);
    } finally {
      await limited.close();
    }
  });

  it("answers unknown routes 404 and wrong methods 405 with Allow, as problems", async () => {
    const unknown = await api("/nope");
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toBe("application/problem+json");
    const wrong = await api("/runs/abc", { method: "DELETE" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET");
  });
});

function parseSse(text: string): { id?: string; event?: string; data?: string }[] {
  return text
    .split("\n\n")
    .map((block) => {
      const frame: { id?: string; event?: string; data?: string } = {};
      for (const line of block.split("\n")) {
        const index = line.indexOf(": ");
        if (index < 0) continue;
        const field = line.slice(0, index);
        const value = line.slice(index + 2);
        if (field === "id" || field === "event" || field === "data") frame[field] = value;
      }
      return frame;
    })
    .filter((frame) => frame.event !== undefined);
}
