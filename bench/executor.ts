/**
 * Executor benchmark: overhead per step.run (median ms per step in a 100-step function) and throughput
 * (runs/s of 1-step functions, the executor running 10 requests at a time), on PGlite (in memory) and, when
 * DATABASE_URL or TEST_DATABASE_URL is set, on that Postgres server (in a fresh database).
 *
 *   pnpm --filter @runnel/bench exec tsx executor.ts
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres pnpm --filter @runnel/bench exec tsx executor.ts
 * Environment: BENCH_RUNS (throughput runs, 600), BENCH_STEP_RUNS (100-step runs, 5), BENCH_SKIP_PGLITE=1,
 * BENCH_CHECKPOINTING=0 (one request per step, the protocol without checkpointing).
 */
import type { AddressInfo } from "node:net";
import { createServer } from "node:http";
import { cpus, loadavg } from "node:os";
import { Inngest } from "inngest";
import { serve } from "inngest/node";

import type { DbHandle } from "@runnel/db";
import { sql } from "@runnel/db";
import { createExecutor, listen } from "@runnel/executor";

import { forEachBenchDatabase } from "./databases";

const noop = () => undefined;
const STEPS = 100;
const STEP_RUNS = Number(process.env.BENCH_STEP_RUNS ?? 5);
const THROUGHPUT_RUNS = Number(process.env.BENCH_RUNS ?? 600);
const IN_FLIGHT = 10;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

async function bench(label: string, handle: DbHandle): Promise<void> {
  // Time spent inside the SDK's serve handler (requests in flight), to separate it from executor overhead.
  // With checkpointing the SDK calls the executor back during a request (POST /v1/checkpoint/...): that time
  // is the executor's, so it is measured separately and taken out of the SDK's share.
  let sdkMs = 0;
  let checkpointMs = 0;
  const executor = createExecutor({
    db: handle,
    maxInFlight: IN_FLIGHT,
    checkpointing: process.env.BENCH_CHECKPOINTING !== "0",
    transport: async (request) => {
      const started = performance.now();
      const response = await fetch(request);
      const body = await response.arrayBuffer();
      sdkMs += performance.now() - started;
      return new Response(body, { status: response.status, headers: response.headers });
    },
  });
  await executor.start();
  const api = await listen(
    async (request) => {
      if (!request.url.includes("/v1/checkpoint/")) return executor.fetch(request);
      const started = performance.now();
      const response = await executor.fetch(request);
      checkpointMs += performance.now() - started;
      return response;
    },
    { port: 0 },
  );
  const inngest = new Inngest({
    id: "bench",
    isDev: true,
    baseUrl: api.url,
    logger: { info: noop, warn: noop, error: noop, debug: noop },
  });
  const long = inngest.createFunction(
    { id: "long", triggers: [{ event: "bench/long" }] },
    async ({ step }) => {
      let total = 0;
      for (let i = 0; i < STEPS; i++) total += await step.run(`s${i}`, () => i);
      return total;
    },
  );
  const short = inngest.createFunction(
    { id: "short", triggers: [{ event: "bench/short" }] },
    async ({ step }) => step.run("only", () => 1),
  );
  const handler = serve({ client: inngest, functions: [long, short] });
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/inngest`;
  const synced = await executor.syncApp(appUrl);
  if (!synced.ok) throw new Error(`sync failed: ${await synced.text()}`);

  const perStep: number[] = [];
  const sdkPerStep: number[] = [];
  for (let r = 0; r < STEP_RUNS; r++) {
    const started = performance.now();
    sdkMs = 0;
    checkpointMs = 0;
    const id = await executor.sendEvent({ name: "bench/long", data: { r } });
    const run = await executor.waitForRun(await runFor(executor, id), { timeoutMs: 300_000 });
    if (run.status !== "completed") throw new Error(`long run ${run.status}`);
    perStep.push((performance.now() - started) / STEPS);
    sdkPerStep.push((sdkMs - checkpointMs) / STEPS);
  }

  // Throughput: all events sent up front; the executor keeps IN_FLIGHT runs executing at a time.
  const startedAt = performance.now();
  for (let i = 0; i < THROUGHPUT_RUNS; i += 100) {
    await executor.sendEvents(
      Array.from({ length: Math.min(100, THROUGHPUT_RUNS - i) }, () => ({
        name: "bench/short",
        data: {},
      })),
    );
  }
  for (;;) {
    const result = await handle.db.execute(
      sql`select count(*)::int as n from runnel_executor.runs where function_id = 'bench-short' and status = 'completed'`,
    );
    const [row] = (result as unknown as { rows: { n: number }[] }).rows;
    if ((row?.n ?? 0) >= THROUGHPUT_RUNS) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = (performance.now() - startedAt) / 1000;

  console.log(
    JSON.stringify({
      database: label,
      msPerStepMedian: Number(median(perStep).toFixed(2)),
      sdkMsPerStepMedian: Number(median(sdkPerStep).toFixed(2)),
      executorMsPerStepMedian: Number(
        median(perStep.map((v, i) => v - (sdkPerStep[i] ?? 0))).toFixed(2),
      ),
      stepRuns: perStep.map((v) => Number(v.toFixed(2))),
      runsPerSecond: Number((THROUGHPUT_RUNS / seconds).toFixed(1)),
      throughputRuns: THROUGHPUT_RUNS,
      inFlight: IN_FLIGHT,
      checkpointing: process.env.BENCH_CHECKPOINTING !== "0",
      loadAverage: loadavg().map((v) => Number(v.toFixed(1))),
      cores: cpus().length,
    }),
  );
  server.closeAllConnections();
  server.close();
  await api.close();
  await executor.stop();
}

async function runFor(
  executor: ReturnType<typeof createExecutor>,
  eventId: string,
): Promise<string> {
  for (;;) {
    const [run] = await executor.runsForEvent(eventId);
    if (run) return run.id;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

await forEachBenchDatabase("executor", bench);
