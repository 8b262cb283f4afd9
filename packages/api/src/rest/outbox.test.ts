/**
 * No accepted run is stranded (docs/runtime.md, "Start requests"): the app runs in "inngest" mode against a
 * standalone executor on 127.0.0.1; with the executor down, `POST /api/v1/flows/{flow}/runs` still answers 202 and
 * the run waits queued; once the executor listens again the runtime's dispatcher delivers the start request and
 * the run executes once, with no retry by the caller.
 */
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { FlowDefinitionInput } from "@runnel/engine";
import type { StandaloneExecutor } from "@runnel/runtime/testing";
import { getRun } from "@runnel/engine";
import { routeHandler } from "@runnel/runtime";
import { startStandaloneExecutor } from "@runnel/runtime/testing";

import type { EngineHarness } from "../router/runs.fixtures";
import type { LoopbackServer } from "./serve.fixtures";
import { createEngineHarness, publishedFlow } from "../router/runs.fixtures";
import { createRestHandler } from "./handler";
import { serveOnLoopback } from "./serve.fixtures";

const SLOW = 120_000;

const flow: FlowDefinitionInput = {
  nodes: [
    { id: "start", type: "manual_trigger", version: 1, name: "Start", config: {} },
    {
      id: "greet",
      type: "set",
      version: 1,
      name: "Greet",
      config: { keep: "none", fields: [{ name: "greeting", value: "hello {{ trigger.name }}" }] },
    },
  ],
  edges: [{ id: "e1", source: "start", sourcePort: "out", target: "greet", targetPort: "in" }],
};

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe("start requests while the executor is down", () => {
  let h: EngineHarness;
  let app: LoopbackServer;
  let rest: LoopbackServer;
  let executor: StandaloneExecutor | undefined;
  let port: number;
  let slug: string;
  let key: string;
  let orgId: string;

  beforeAll(async () => {
    port = await freePort();
    h = await createEngineHarness({
      mode: { kind: "inngest", baseUrl: `http://127.0.0.1:${port}`, isDev: true },
      dispatcher: { pollMs: 100, ackFlushMs: 50 },
    });
    const route = h.runtime.route;
    if (!route) throw new Error("the runtime in inngest mode serves no route");
    app = await serveOnLoopback(routeHandler(route));
    executor = await startStandaloneExecutor({
      handle: h.handle,
      port,
      appUrl: `${app.url}/api/inngest`,
    });
    rest = await serveOnLoopback(
      createRestHandler({
        db: h.db,
        engine: h.engine,
        encryptionKey: h.encryptionKey,
        appUrl: "http://localhost:3000",
      }),
    );
    const ada = await h.user("Ada");
    orgId = ada.orgId;
    const flowId = await publishedFlow(ada.caller, "Greeter", flow);
    slug = (await ada.caller.deployments.publish({ flowId })).slug;
    key = (await ada.caller.apiKeys.create({ name: "outbox" })).key;
  }, SLOW);

  afterAll(async () => {
    await executor?.stop();
    await rest.close();
    await app.close();
    await h.close();
  });

  it(
    "accepts the run, keeps it queued, and starts it once when the executor is back",
    async () => {
      await executor?.stop();
      executor = undefined;

      const response = await fetch(`${rest.url}/api/v1/flows/${slug}/runs`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "outbox" }),
      });
      expect(response.status).toBe(202);
      const { runId } = (await response.json()) as { runId: string };

      // Several dispatcher rounds find nothing to deliver to: the run waits, still queued.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect((await getRun(h.db, orgId, runId))?.status).toBe("queued");

      executor = await startStandaloneExecutor({ handle: h.handle, port });
      const run = await h.waitFor(orgId, runId, undefined, 60_000);
      expect(run).toMatchObject({ status: "succeeded", output: { greeting: "hello outbox" } });
      // The event id is the run's: however often it was sent, the executor ran the function once.
      expect(await executor.executor.runsForEvent(`run-${runId}`)).toHaveLength(1);
    },
    SLOW,
  );
});
