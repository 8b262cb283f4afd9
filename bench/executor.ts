/**
 * Executor benchmark: what one durable step costs on the standalone executor serving a third-party Inngest app
 * (bench/executor-app.ts, its own process, the real `inngest` SDK over loopback HTTP). The executor runs in this
 * process exactly as `runnel-executor` (src/cli.ts) runs it: createExecutor + listen.
 *
 * - sequential: BENCH_STEP_RUNS runs of a 100-step function one after the other: wall ms per step (median).
 * - concurrent: BENCH_CONCURRENT runs of it at once: wall ms per step over all their steps.
 * - throughput: BENCH_RUNS one-step runs sent up front, 10 requests in flight: runs/s.
 * For each: CPU ms per step of the executor process, of the app (SDK), and of the database (PGlite is in this
 * process; on a server, the backends of the bench database), and SQL statements per step (server only; BEGIN and
 * COMMIT count).
 *
 *   pnpm --filter @runnel/bench exec tsx executor.ts
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres pnpm --filter @runnel/bench exec tsx executor.ts
 * Environment: BENCH_RUNS (600), BENCH_STEP_RUNS (5), BENCH_CONCURRENT (10), BENCH_SKIP_PGLITE=1,
 * BENCH_CHECKPOINTING=0 (one request per step, the protocol without checkpointing).
 */
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";

import type { DbHandle } from "@runnel/db";
import { sql } from "@runnel/db";
import { createExecutor, listen } from "@runnel/executor";

import { forEachBenchDatabase } from "./databases";

const STEPS = 100;
const STEP_RUNS = Number(process.env.BENCH_STEP_RUNS ?? 5);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 10);
const THROUGHPUT_RUNS = Number(process.env.BENCH_RUNS ?? 600);
const IN_FLIGHT = 10;
const CLOCK_TICK_MS = 10; // USER_HZ = 100 on Linux

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};
const round = (value: number) => Number(value.toFixed(3));

/** CPU ms (user + system) a process used so far, from /proc. */
function processCpuMs(pid: number): number {
  try {
    // Fields after the command name (which may contain spaces): state is field 3, utime 14, stime 15.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
  } catch {
    return 0;
  }
}

interface PoolLike {
  connect(...args: unknown[]): unknown;
}
interface ClientLike {
  query(...args: unknown[]): unknown;
}

/**
 * Counts the statements a node-postgres handle sends: every pooled client's `query` (a transaction's BEGIN and
 * COMMIT included). Answers undefined for other drivers.
 */
function statementCounter(handle: DbHandle): (() => number) | undefined {
  if (handle.driver !== "pg") return undefined;
  let count = 0;
  const pool = (handle.db as unknown as { $client: PoolLike }).$client;
  const wrapped = new WeakSet<ClientLike>();
  const wrap = (client: ClientLike | undefined) => {
    if (!client || wrapped.has(client)) return;
    wrapped.add(client);
    const query = client.query.bind(client);
    client.query = (...args: unknown[]) => {
      count++;
      return query(...args);
    };
  };
  const connect = pool.connect.bind(pool);
  pool.connect = (...args: unknown[]) => {
    const callback = args[0];
    if (typeof callback === "function") {
      return connect((error: unknown, client: ClientLike | undefined, done: unknown) => {
        wrap(client);
        (callback as (...a: unknown[]) => void)(error, client, done);
      });
    }
    return (connect() as Promise<ClientLike>).then((client) => {
      wrap(client);
      return client;
    });
  };
  return () => count;
}

/** The server process ids of the bench database's connections (their CPU is the database's share). */
async function backendPids(handle: DbHandle): Promise<number[]> {
  if (handle.driver === "pglite") return [];
  const result = await handle.db.execute(
    sql`select pid from pg_stat_activity where datname = current_database()`,
  );
  return (result as unknown as { rows: { pid: number }[] }).rows.map((row) => row.pid);
}

interface Meter {
  stop(steps: number): Promise<Record<string, number | null>>;
}

/** Starts measuring wall time, CPU of this process, of the app and of the database, and statements. */
async function meter(
  handle: DbHandle,
  app: ChildProcess,
  statements: (() => number) | undefined,
): Promise<Meter> {
  const dbBefore = new Map((await backendPids(handle)).map((pid) => [pid, processCpuMs(pid)]));
  const appPid = app.pid ?? 0;
  const appBefore = processCpuMs(appPid);
  const cpuBefore = process.cpuUsage();
  const statementsBefore = statements?.() ?? 0;
  const started = performance.now();
  return {
    async stop(steps) {
      const wall = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      const executorCpu = (cpu.user + cpu.system) / 1000;
      const appCpu = processCpuMs(appPid) - appBefore;
      // Connections opened meanwhile count from zero; one closed meanwhile is missed (the pool keeps them open).
      const dbCpu = (await backendPids(handle)).reduce(
        (sum, pid) => sum + processCpuMs(pid) - (dbBefore.get(pid) ?? 0),
        0,
      );
      return {
        wallMsPerStep: round(wall / steps),
        executorCpuMsPerStep: round(executorCpu / steps),
        sdkAppCpuMsPerStep: round(appCpu / steps),
        databaseCpuMsPerStep: handle.driver === "pglite" ? null : round(dbCpu / steps),
        statementsPerStep: statements ? round((statements() - statementsBefore) / steps) : null,
      };
    },
  };
}

/**
 * Counts the "long" runs the app reports as done (POST with the event id), so that waiting for them costs
 * the executor's database nothing.
 */
async function doneListener(): Promise<{
  url: string;
  waitFor(count: number): Promise<void>;
  close(): void;
}> {
  let done = 0;
  let waiter: { count: number; resolve(): void } | undefined;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      done++;
      if (waiter && done >= waiter.count) waiter.resolve();
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/done`,
    waitFor: (count) =>
      done >= count ? Promise.resolve() : new Promise((resolve) => (waiter = { count, resolve })),
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

function startApp(
  executorUrl: string,
  doneUrl: string,
): Promise<{ proc: ChildProcess; url: string }> {
  const script = fileURLToPath(new URL("./executor-app.ts", import.meta.url));
  const proc = spawn(process.execPath, ["--import", "tsx", script], {
    env: { ...process.env, EXECUTOR_URL: executorUrl, STEPS: String(STEPS), DONE_URL: doneUrl },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let buffer = "";
    proc.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = /\{"url":"([^"]+)"\}/.exec(buffer);
      if (match?.[1]) resolve({ proc, url: match[1] });
    });
    proc.once("exit", (code) => reject(new Error(`the bench app exited with ${code}`)));
  });
}

async function completed(handle: DbHandle, functionId: string): Promise<number> {
  const result = await handle.db.execute(
    sql`select count(*)::int as n from runnel_executor.runs where function_id = ${functionId} and status = 'completed'`,
  );
  return (result as unknown as { rows: { n: number }[] }).rows[0]?.n ?? 0;
}

async function bench(label: string, handle: DbHandle): Promise<void> {
  const statements = statementCounter(handle);
  const executor = createExecutor({
    db: handle,
    maxInFlight: IN_FLIGHT,
    checkpointing: process.env.BENCH_CHECKPOINTING !== "0",
  });
  await executor.start();
  const api = await listen(executor.fetch, { port: 0 });
  const done = await doneListener();
  const app = await startApp(api.url, done.url);
  try {
    const synced = await executor.syncApp(app.url);
    if (!synced.ok) throw new Error(`sync failed: ${await synced.text()}`);

    const sequential: Record<string, number | null>[] = [];
    for (let r = 0; r < STEP_RUNS; r++) {
      const m = await meter(handle, app.proc, statements);
      const id = await executor.sendEvent({ name: "bench/long", data: { r } });
      await done.waitFor(r + 1);
      const [summary] = await executor.runsForEvent(id);
      const run = await executor.waitForRun(summary?.id ?? "", { timeoutMs: 300_000 });
      if (run.status !== "completed") throw new Error(`long run ${run.status}`);
      sequential.push(await m.stop(STEPS));
    }
    const medianOf = (rows: Record<string, number | null>[]) =>
      Object.fromEntries(
        Object.keys(rows[0] ?? {}).map((key) => [
          key,
          rows[0]?.[key] === null ? null : round(median(rows.map((row) => row[key] ?? NaN))),
        ]),
      );

    const concurrentMeter = await meter(handle, app.proc, statements);
    await executor.sendEvents(
      Array.from({ length: CONCURRENT }, (_, i) => ({ name: "bench/long", data: { c: i } })),
    );
    await done.waitFor(STEP_RUNS + CONCURRENT);
    while ((await completed(handle, "bench-long")) < STEP_RUNS + CONCURRENT)
      await new Promise((resolve) => setTimeout(resolve, 5));
    const concurrent = await concurrentMeter.stop(CONCURRENT * STEPS);

    const throughputMeter = await meter(handle, app.proc, statements);
    for (let i = 0; i < THROUGHPUT_RUNS; i += 100) {
      await executor.sendEvents(
        Array.from({ length: Math.min(100, THROUGHPUT_RUNS - i) }, () => ({
          name: "bench/short",
          data: {},
        })),
      );
    }
    while ((await completed(handle, "bench-short")) < THROUGHPUT_RUNS)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const throughput = await throughputMeter.stop(THROUGHPUT_RUNS);

    console.log(
      JSON.stringify({
        database: label,
        checkpointing: process.env.BENCH_CHECKPOINTING !== "0",
        sequential: { runs: STEP_RUNS, steps: STEPS, ...medianOf(sequential) },
        concurrent: { runs: CONCURRENT, steps: STEPS, ...concurrent },
        throughput: {
          runs: THROUGHPUT_RUNS,
          inFlight: IN_FLIGHT,
          runsPerSecond: round(1000 / (throughput.wallMsPerStep ?? NaN)),
          perRun: throughput,
        },
        loadAverage: loadavg().map((v) => Number(v.toFixed(1))),
        cores: cpus().length,
      }),
    );
  } finally {
    app.proc.kill("SIGKILL");
    done.close();
    await api.close();
    await executor.stop();
  }
}

await forEachBenchDatabase("executor", bench);
