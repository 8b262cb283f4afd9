import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { FlowDefinitionInput } from "@runnel/engine";
import { eq } from "@runnel/db";
import { runs } from "@runnel/db/schema";

import type { LoopbackServer } from "../rest/serve.fixtures";
import type { EngineHarness } from "../router/runs.fixtures";
import { readBodyLimited } from "../rest/body";
import { HttpProblem } from "../rest/problem";
import { serveOnLoopback } from "../rest/serve.fixtures";
import { createEngineHarness, publishedFlow } from "../router/runs.fixtures";
import { createHookHandler } from "./handler";
import { signWebhook } from "./signature";

let h: EngineHarness;
let server: LoopbackServer;
let ada: Awaited<ReturnType<EngineHarness["user"]>>;

/** webhook trigger → set (who) → respond (201, a header, the set output as body). */
function hookFlow(config: Record<string, string | string[]>): FlowDefinitionInput {
  return {
    nodes: [
      { id: "hook", type: "webhook_trigger", version: 1, name: "Hook", config },
      {
        id: "who",
        type: "set",
        version: 1,
        name: "Who",
        config: { keep: "none", fields: [{ name: "hello", value: "{{ trigger.body.name }}" }] },
      },
      {
        id: "answer",
        type: "respond",
        version: 1,
        name: "Answer",
        config: { status: 201, headers: { "x-flow": "runnel" } },
      },
    ],
    edges: [
      { id: "e1", source: "hook", sourcePort: "out", target: "who", targetPort: "in" },
      { id: "e2", source: "who", sourcePort: "out", target: "answer", targetPort: "in" },
    ],
  };
}

async function hookOf(name: string, config: Record<string, string | string[]>) {
  const flowId = await publishedFlow(ada.caller, name, hookFlow(config));
  const { webhooks } = await ada.caller.triggers.list({ flowId });
  const webhook = webhooks[0];
  if (!webhook) throw new Error(`flow ${name} has no webhook row`);
  return { flowId, triggerId: webhook.id, url: `${server.url}/api/hooks/${webhook.hookId}` };
}

const runsOf = (flowId: string) => h.db.select().from(runs).where(eq(runs.flowId, flowId));

beforeAll(async () => {
  h = await createEngineHarness();
  server = await serveOnLoopback(
    createHookHandler({
      db: h.db,
      engine: h.engine,
      encryptionKey: h.encryptionKey,
      appUrl: "http://localhost:3000",
      maxBodyBytes: 4096,
    }),
  );
  ada = await h.user("Ada");
});

afterAll(async () => {
  await server.close();
  await h.close();
});

describe("webhook ingress", () => {
  it("starts a run and answers 202 with its id; the run sees method, query, body and headers but no credentials", async () => {
    const { url, flowId } = await hookOf("Hook Async", {});
    const response = await fetch(`${url}?source=test`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: "Bearer secret",
        "x-custom": "1",
      },
      body: JSON.stringify({ name: "ada" }),
    });
    expect(response.status).toBe(202);
    expect(response.headers.get("x-request-id")).toBeTruthy();
    const { runId } = (await response.json()) as { runId: string };
    const run = await h.waitFor(ada.orgId, runId);
    expect(run).toMatchObject({ flowId, status: "succeeded", triggerKind: "webhook" });
    expect(run.input).toMatchObject({
      method: "POST",
      query: { source: "test" },
      body: { name: "ada" },
      headers: { "x-custom": "1" },
    });
    expect(
      (run.input as { headers: Record<string, string> }).headers.authorization,
    ).toBeUndefined();
  });

  it("with respondMode respond_node answers with the Respond node's status, headers and body", async () => {
    const { url } = await hookOf("Hook Sync", { respondMode: "respond_node" });
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "grace" }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("x-flow")).toBe("runnel");
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({ hello: "grace" });
    // The run records the same response as its output (what the REST API's ?wait returns in `output`).
    const run = await h.waitFor(ada.orgId, response.headers.get("x-runnel-run-id") ?? "");
    expect(run).toMatchObject({
      status: "succeeded",
      output: { status: 201, headers: { "x-flow": "runnel" }, body: { hello: "grace" } },
    });
  });

  it("the same Idempotency-Key sent 5 times at once starts exactly one run", async () => {
    const { url, flowId } = await hookOf("Hook Once", {});
    const send = () =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": "delivery-7" },
        body: JSON.stringify({ name: "once" }),
      }).then(async (response) => {
        expect(response.status).toBe(202);
        return ((await response.json()) as { runId: string }).runId;
      });
    const ids = await Promise.all([send(), send(), send(), send(), send()]);
    expect(new Set(ids).size).toBe(1);
    expect(await runsOf(flowId)).toHaveLength(1);
  });

  it("accepts only the configured methods (405 with Allow) and answers 404 for unknown hooks", async () => {
    const { url, flowId } = await hookOf("Hook Methods", { methods: ["PUT", "PATCH"] });
    const wrong = await fetch(url, { method: "POST", body: "{}" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("PUT, PATCH");
    expect(wrong.headers.get("content-type")).toBe("application/problem+json");
    expect((await fetch(url, { method: "PUT", body: "x" })).status).toBe(202);
    const unknown = await fetch(`${server.url}/api/hooks/doesNotExist123`, { method: "POST" });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { requestId: string }).requestId).toBeTruthy();
    expect(await runsOf(flowId)).toHaveLength(1);
  });

  it("with a secret, needs a fresh valid t=,v1= signature: unsigned, wrong and stale ones are 401 and start nothing", async () => {
    const { url, flowId, triggerId } = await hookOf("Hook Signed", {});
    const { secret } = await ada.caller.triggers.rotateSecret({ id: triggerId });
    const body = JSON.stringify({ name: "signed" });
    const now = Math.floor(Date.now() / 1000);
    const post = (signature?: string) =>
      fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(signature ? { "x-runnel-signature": signature } : {}),
        },
        body,
      });
    const unsigned = await post();
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ reason: "missing" });
    expect(await (await post(signWebhook("whsec_wrong", body, now))).json()).toMatchObject({
      status: 401,
      reason: "mismatch",
    });
    expect(await (await post(signWebhook(secret, `${body} `, now))).json()).toMatchObject({
      reason: "mismatch",
    });
    expect(await (await post(signWebhook(secret, body, now - 301))).json()).toMatchObject({
      reason: "stale",
    });
    expect(await (await post("v1=abc")).json()).toMatchObject({ reason: "malformed" });
    expect(await runsOf(flowId)).toHaveLength(0);
    const good = await post(signWebhook(secret, body, now));
    expect(good.status).toBe(202);
    expect(await runsOf(flowId)).toHaveLength(1);
  });

  it("refuses a body over the limit with 413 and starts nothing", async () => {
    const { url, flowId } = await hookOf("Hook Big", {});
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "x".repeat(5000) }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ status: 413, limitBytes: 4096 });
    expect(await runsOf(flowId)).toHaveLength(0);
  });
});

describe("readBodyLimited", () => {
  it("stops pulling a body without Content-Length as soon as it passes the limit", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(64 * 1024));
      },
    });
    const request = new Request("http://127.0.0.1/api/hooks/x", {
      method: "POST",
      body: endless,
      duplex: "half",
    } as RequestInit);
    const error = await readBodyLimited(request, 100 * 1024).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HttpProblem);
    expect((error as HttpProblem).status).toBe(413);
    expect(pulled).toBeLessThanOrEqual(3);
  });

  it("refuses a declared Content-Length over the limit before reading", async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(10));
        controller.close();
      },
    });
    const request = new Request("http://127.0.0.1/api/hooks/x", {
      method: "POST",
      body,
      duplex: "half",
      headers: { "content-length": "999999" },
    } as RequestInit);
    await expect(readBodyLimited(request, 1024)).rejects.toMatchObject({ status: 413 });
    expect(pulled).toBeLessThanOrEqual(1);
  });
});
