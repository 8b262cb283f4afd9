/**
 * What a benchmark step cost, beyond latency: the CPU time of this process's main thread (the server, the engine
 * and PGlite run there; the load generator runs in a worker thread; read from /proc, Linux only), the CPU of the local Postgres server's
 * processes (read from /proc, so only for a server on this machine), and the SQL statements this process sent
 * through node-postgres (every `query` call: BEGIN and COMMIT count as statements).
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";

const TICKS_PER_SECOND = 100;

/** A /proc stat file's command name and user + system CPU ticks. */
function readStat(path: string): { name: string; ticks: number } {
  const stat = readFileSync(path, "utf8");
  const close = stat.lastIndexOf(")");
  const fields = stat.slice(close + 2).split(" ");
  return {
    name: stat.slice(stat.indexOf("(") + 1, close),
    ticks: Number(fields[11]) + Number(fields[12]),
  };
}

/** CPU milliseconds of every process whose command is `postgres` (the server and its backends). */
function postgresCpuMs(): number {
  let ticks = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readStat(`/proc/${entry}/stat`);
      if (stat.name === "postgres") ticks += stat.ticks;
    } catch {
      // The process ended while it was being read.
    }
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

let statements = 0;
/** While set, the text of every statement sent (see traceStatements). */
let traced: string[] | undefined;

/** Records the SQL text of every statement sent while `work` runs (BENCH_TRACE_SQL=1 prints one run's). */
export async function traceStatements(work: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  traced = seen;
  try {
    await work();
  } finally {
    traced = undefined;
  }
  return seen;
}

/** Counts node-postgres queries from now on (the client the database package loads). */
export function countPgStatements(fromPackage: string): void {
  const require = createRequire(fromPackage);
  const pg = require("pg") as { Client: { prototype: { query: (...args: unknown[]) => unknown } } };
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: unknown, ...args: unknown[]) {
    statements++;
    if (traced) {
      const [query] = args as [string | { text?: string; name?: string }];
      traced.push(
        typeof query === "string"
          ? query
          : `${query.name ? `[${query.name}] ` : ""}${query.text ?? ""}`,
      );
    }
    return original.apply(this, args);
  };
}

export interface Costs {
  mainThreadCpuMs: number;
  postgresCpuMs: number;
  statements: number;
}

export function costsNow(): Costs {
  return {
    mainThreadCpuMs:
      (readStat(`/proc/self/task/${process.pid}/stat`).ticks * 1000) / TICKS_PER_SECOND,
    postgresCpuMs: postgresCpuMs(),
    statements,
  };
}

/** Per run: the costs between two readings divided by the runs in between. */
export function perRun(before: Costs, after: Costs, runs: number) {
  const each = (value: number) => Math.round((value / Math.max(runs, 1)) * 100) / 100;
  return {
    serverCpuMsPerRun: each(after.mainThreadCpuMs - before.mainThreadCpuMs),
    postgresCpuMsPerRun: each(after.postgresCpuMs - before.postgresCpuMs),
    statementsPerRun: each(after.statements - before.statements),
  };
}
