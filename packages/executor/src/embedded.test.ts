import { Inngest } from "inngest";
import { serve } from "inngest/edge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { RunnelExecutor } from "./index";
import { testDatabase } from "../test/harness";
import { createExecutor } from "./index";

/**
 * Embedded mode: the executor runs inside the app's process and reaches the serve handler in-process
 * (inngest/edge's serve is a (Request) => Response function); the SDK reaches the executor through the
 * client's `fetch` option. No socket is opened.
 */
let db: Awaited<ReturnType<typeof testDatabase>>;
let executor: RunnelExecutor;
let handler: (request: Request) => Promise<Response>;
const noop = () => undefined;

beforeAll(async () => {
  db = await testDatabase();
  executor = createExecutor({
    db: db.handle,
    retryScale: 0.001,
    pollMs: 20,
    transport: (request) => handler(request),
  });
  const inngest = new Inngest({
    id: "embedded",
    isDev: true,
    baseUrl: "http://executor.internal",
    fetch: (input, init) => executor.fetch(new Request(input, init)),
    logger: { info: noop, warn: noop, error: noop, debug: noop },
  });
  const child = inngest.createFunction(
    { id: "child", triggers: [{ event: "embedded/child" }] },
    ({ event }) => event.data,
  );
  const fn = inngest.createFunction(
    { id: "fn", triggers: [{ event: "embedded/go" }] },
    async ({ event, step }) => {
      const greeting = await step.run(
        "greet",
        () => `hello ${(event.data as { name: string }).name}`,
      );
      await step.sleep("pause", "1s");
      await step.sendEvent("notify", { name: "embedded/child", data: { greeting } });
      return greeting;
    },
  );
  handler = serve({ client: inngest, functions: [fn, child] });
  await executor.start();
  const synced = await executor.syncApp("http://app.internal/api/inngest");
  expect(synced.status, await synced.clone().text()).toBe(200);
}, 120_000);

afterAll(async () => {
  await executor.stop();
  await db.drop();
});

describe("embedded executor (in-process transport)", () => {
  it("registers, runs steps, sleeps and routes sent events without HTTP", async () => {
    const inngest = new Inngest({
      id: "sender",
      isDev: true,
      baseUrl: "http://executor.internal",
      fetch: (input, init) => executor.fetch(new Request(input, init)),
    });
    const { ids } = await inngest.send({ name: "embedded/go", data: { name: "runnel" } });
    const [started] = await executor.runsForEvent(ids[0] ?? "");
    const run = await executor.waitForRun(started?.id ?? "", { timeoutMs: 30_000 });
    expect(run.status).toBe("completed");
    expect(run.output).toBe("hello runnel");
    const childRun = await (async () => {
      for (;;) {
        const [found] = (await executor.listRuns({ functionId: "embedded-child" })).runs;
        if (found) return executor.waitForRun(found.id);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    expect(childRun.output).toEqual({ greeting: "hello runnel" });
  });
});
