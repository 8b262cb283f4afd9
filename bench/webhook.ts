/**
 * Webhook benchmark: a webhook → Set → Respond flow answered synchronously (respondMode "respond_node"), loaded with
 * autocannon at several concurrencies over real HTTP on 127.0.0.1. The server is a plain node:http server wrapping
 * the same handler the app's /api/hooks route serves (createHookHandler from @runnel/api) with the app's runtime
 * (@runnel/runtime's startRuntime in embedded mode, as apps/web/src/server/engine.ts starts it).
 *
 * Databases: the embedded default (PGlite in a fresh data folder), then, when DATABASE_URL or TEST_DATABASE_URL names
 * a Postgres server, a fresh database there (dropped afterwards).
 *
 *   pnpm --filter @runnel/bench exec tsx webhook.ts
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres pnpm --filter @runnel/bench exec tsx webhook.ts
 * Environment: BENCH_SECONDS (per concurrency, 10), BENCH_CONCURRENCY (1,10,50), BENCH_SKIP_PGLITE=1,
 * BENCH_RATE_LIMITS=1 (count the org's webhook budget, with the store the app uses; default off), BENCH_RUN_FLOW
 * (how embedded mode drives runFlow, each in turn on the same database: "sdk,direct" by default). The hook lookup is
 * cached in the process as the app caches it (docs/rest.md, "Caching and invalidation").
 *
 * Each line also gives, per run: the CPU of the process's main thread (server, engine and PGlite; the load generator
 * runs in a worker thread), the CPU of the local Postgres server's processes, and the statements sent through
 * node-postgres (bench/measure.ts). BENCH_TRACE_SQL=1 also prints the statements of one run (Postgres only), sent alone
 * after the warm-up, with the dispatcher's and the driver's periodic statements of that moment.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";

import type { DbHandle } from "@runnel/db";
import { applyMigrations, createDb, sql } from "@runnel/db";

import type { FlowDefinitionInput } from "../packages/engine/src/index";
import { createHookHandler } from "../packages/api/src/hooks/handler";
import { createLookups } from "../packages/api/src/lookups/index";
import { listenForLookupChanges } from "../packages/api/src/lookups/invalidation";
import { serveOnLoopback } from "../packages/api/src/rest/serve.fixtures";
import { appRouter } from "../packages/api/src/root";
import { createRateLimits, rateLimitStoreFor } from "../packages/api/src/security/rate-limit";
import { createCallerFactory, createTRPCContext } from "../packages/api/src/trpc";
import { consoleLog, startRuntime } from "../packages/runtime/src/index";
import { costsNow, countPgStatements, perRun, traceStatements } from "./measure";

countPgStatements(new URL("../packages/db/package.json", import.meta.url).pathname);

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? "1,10,50").split(",").map(Number);
const RUN_FLOW = (process.env.BENCH_RUN_FLOW ?? "sdk,direct")
  .split(",")
  .map((name) => (name === "sdk" ? "sdk" : "direct"));

const flow: FlowDefinitionInput = {
  nodes: [
    {
      id: "hook",
      type: "webhook_trigger",
      version: 1,
      name: "Hook",
      config: { respondMode: "respond_node" },
    },
    {
      id: "shape",
      type: "set",
      version: 1,
      name: "Shape",
      config: { keep: "none", fields: [{ name: "hello", value: "{{ trigger.body.name }}" }] },
    },
    { id: "answer", type: "respond", version: 1, name: "Answer", config: { status: 200 } },
  ],
  edges: [
    { id: "e1", source: "hook", sourcePort: "out", target: "shape", targetPort: "in" },
    { id: "e2", source: "shape", sourcePort: "out", target: "answer", targetPort: "in" },
  ],
};

/** The app's runtime in embedded mode on `handle`: the same startRuntime call apps/web/src/server/engine.ts makes. */
async function startEngine(handle: DbHandle, url: string | undefined, runFlow: "sdk" | "direct") {
  const masterKey = randomBytes(32);
  const runtime = await startRuntime({
    handle,
    masterKey,
    mode: { kind: "embedded", runFlow },
    httpAllow: [],
    ...(url ? { databaseUrl: url } : {}),
    log: consoleLog("runtime"),
  });
  return { masterKey, engine: runtime.engine, close: () => runtime.stop() };
}

/** A user, their org and the published flow, through the tRPC routers; returns the hook path. */
async function seedHook(handle: DbHandle, encryptionKey: Buffer): Promise<string> {
  const createCaller = createCallerFactory(appRouter);
  const context = (userId?: string) =>
    createTRPCContext({
      headers: new Headers(),
      db: handle.db,
      session: userId ? { userId } : null,
      encryptionKey,
      appUrl: "http://127.0.0.1",
    });
  const { userId } = await createCaller(await context()).auth.signUp({
    name: "Bench",
    email: `bench-${randomBytes(4).toString("hex")}@example.com`,
    password: "correct-horse-9",
  });
  const caller = createCaller(await context(userId));
  const created = await caller.flows.create({ name: "Webhook bench" });
  await caller.flows.saveDraft({ id: created.id, definition: flow });
  await caller.flows.publish({ id: created.id });
  const { webhooks } = await caller.triggers.list({ flowId: created.id });
  const hookId = webhooks[0]?.hookId;
  if (!hookId) throw new Error("the published flow has no webhook");
  return `/api/hooks/${hookId}`;
}

interface Figures {
  concurrency: number;
  requests: number;
  runsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
}

async function load(url: string, concurrency: number, seconds: number): Promise<Figures> {
  const result = await autocannon({
    url,
    method: "POST",
    connections: concurrency,
    duration: seconds,
    // In a worker thread, so the main thread's CPU is the server's.
    workers: 1,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "bench" }),
  });
  const ok = result["2xx"];
  return {
    concurrency,
    requests: ok,
    runsPerSecond: Math.round((ok / seconds) * 10) / 10,
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

/** Transactions committed in this database so far (server only; every autocommit statement counts once). */
async function commits(handle: DbHandle): Promise<number | null> {
  if (handle.driver === "pglite") return null;
  // The statistics collector publishes with a short delay.
  await new Promise((resolve) => setTimeout(resolve, 600));
  const [row] = (
    await handle.db.execute<{ commits: string }>(
      sql`select xact_commit::text as commits from pg_stat_database where datname = current_database()`,
    )
  ).rows;
  return row ? Number(row.commits) : null;
}

/** Prints the statements one run sends through node-postgres (BENCH_TRACE_SQL=1; Postgres only), after the others settled. */
async function traceOneRun(label: string, runFlow: string, target: string): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const seen = await traceStatements(async () => {
    const response = await fetch(target, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "traced" }),
    });
    await response.text();
    // The run's writes after the answer (its end, the lease) and the batched acknowledgements.
    await new Promise((resolve) => setTimeout(resolve, 1500));
  });
  console.log(JSON.stringify({ database: label, runFlow, tracedStatements: seen.length }));
  for (const [index, text] of seen.entries())
    console.log(`  ${index + 1}. ${text.replace(/\s+/g, " ").slice(0, 220)}`);
}

async function bench(
  label: string,
  handle: DbHandle,
  url: string | undefined,
  runFlow: "sdk" | "direct",
): Promise<void> {
  const engine = await startEngine(handle, url, runFlow);
  const path = await seedHook(handle, engine.masterKey);
  const rateLimits =
    process.env.BENCH_RATE_LIMITS === "1"
      ? createRateLimits({ org: { points: 1_000_000, durationSeconds: 60 } }, () =>
          Promise.resolve(rateLimitStoreFor(handle)),
        )
      : undefined;
  // The hook lookup cached in the process, as the app does (getLookups in apps/web/src/server/runtime.ts).
  const lookups = createLookups(() => listenForLookupChanges(handle, url));
  const server = await serveOnLoopback(
    createHookHandler({
      db: handle.db,
      engine: engine.engine,
      encryptionKey: engine.masterKey,
      appUrl: "http://127.0.0.1",
      rateLimits,
      lookups,
    }),
  );
  try {
    const target = `${server.url}${path}`;
    const probe = await fetch(target, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "probe" }),
    });
    const answer = await probe.text();
    if (probe.status !== 200 || answer !== JSON.stringify({ hello: "probe" })) {
      throw new Error(`the webhook answered ${probe.status} ${answer}, not 200 {"hello":"probe"}`);
    }
    // Warm-up: JIT, prepared statements, pool connections.
    await load(target, 10, 2);
    if (process.env.BENCH_TRACE_SQL === "1") await traceOneRun(label, runFlow, target);
    for (const concurrency of CONCURRENCY) {
      const commitsBefore = await commits(handle);
      const costsBefore = costsNow();
      const figures = await load(target, concurrency, SECONDS);
      const costs = perRun(costsBefore, costsNow(), figures.requests);
      const commitsAfter = await commits(handle);
      const commitsPerRun =
        commitsBefore === null || commitsAfter === null || figures.requests === 0
          ? null
          : Math.round((commitsAfter - commitsBefore) / figures.requests);
      console.log(
        JSON.stringify({
          database: label,
          runFlow,
          ...figures,
          commitsPerRun,
          ...costs,
          loadavg: loadavg().map((n) => Math.round(n * 100) / 100),
        }),
      );
    }
  } finally {
    await server.close();
    await lookups.close();
    await rateLimits?.close();
    await engine.close();
  }
  const [counted] = (
    await handle.db.execute<{ runs: number; unfinished: number }>(
      sql`select count(*)::int as runs, count(*) filter (where status <> 'succeeded')::int as unfinished from runs`,
    )
  ).rows;
  console.log(JSON.stringify({ database: label, runFlow, ...counted }));
}

async function benchEach(label: string, handle: DbHandle, url: string | undefined) {
  await applyMigrations(handle);
  for (const runFlow of RUN_FLOW) await bench(label, handle, url, runFlow);
}

async function main(): Promise<void> {
  console.log(
    JSON.stringify({
      cpus: cpus().length,
      loadavg: loadavg().map((n) => Math.round(n * 100) / 100),
      seconds: SECONDS,
      rateLimits: process.env.BENCH_RATE_LIMITS === "1",
    }),
  );
  if (process.env.BENCH_SKIP_PGLITE !== "1") {
    const dataDir = mkdtempSync(join(tmpdir(), "runnel-bench-webhook-"));
    const handle = await createDb({ dataDir });
    try {
      await benchEach("pglite (data folder)", handle, undefined);
    } finally {
      await handle.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const serverUrl = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!serverUrl) return;
  const database = `runnel_webhook_bench_${process.pid}`;
  const admin = await createDb({ url: serverUrl, maxConnections: 1 });
  await admin.db.execute(sql.raw(`create database "${database}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  const handle = await createDb({ url: url.href });
  try {
    await benchEach(`postgres ${url.host}`, handle, url.href);
  } finally {
    await handle.close();
    await admin.db.execute(sql.raw(`drop database if exists "${database}" with (force)`));
    await admin.close();
  }
}

await main();
