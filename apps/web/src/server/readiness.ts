import "server-only";

import { pendingMigrations, sql } from "@runnel/db";
import { redactText } from "@runnel/observability";
import { runtimeEnv } from "@runnel/runtime/env";

import { getEngine } from "./engine";
import { getDbHandle } from "./runtime";

/** How long one check may take before it counts as failed. */
const CHECK_TIMEOUT_MS = 2000;
/** Where Inngest Cloud takes events when no INNGEST_BASE_URL is set. */
const INNGEST_CLOUD_EVENT_API = "https://inn.gs";

export interface CheckResult {
  ok: boolean;
  /** What is wrong (absent when ok), or what was checked. */
  detail: string;
  ms: number;
}

export interface Readiness {
  ready: boolean;
  checks: Record<"database" | "migrations" | "runner", CheckResult>;
}

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)),
      CHECK_TIMEOUT_MS,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function check(what: string, run: () => Promise<string>): Promise<CheckResult> {
  const started = performance.now();
  try {
    const detail = await withTimeout(run(), what);
    return { ok: true, detail, ms: Math.round(performance.now() - started) };
  } catch (error) {
    const message = redactText(error instanceof Error ? error.message : String(error));
    return { ok: false, detail: message, ms: Math.round(performance.now() - started) };
  }
}

/** Any HTTP answer proves the server is reachable; a refused or timed-out connection does not. */
async function reachable(url: string): Promise<string> {
  try {
    const response = await fetch(url, {
      method: "GET",
      redirect: "manual",
      signal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
    });
    await response.body?.cancel();
    return `${url} answered ${response.status}`;
  } catch (error) {
    const cause =
      error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
    throw new Error(`${url} is not reachable${cause}`);
  }
}

/** Probes arriving within this window share one check, so a flood of probes costs one round of queries. */
const SHARED_MS = 1000;
let last: { at: number; result: Promise<Readiness> } | undefined;

/**
 * What /api/ready reports (docs/operations.md#readiness): the database answers, every migration is applied, and
 * what executes runs is up — the built-in executor started in this process, or the Inngest server (or standalone
 * executor) reachable.
 */
export function readiness(): Promise<Readiness> {
  const now = Date.now();
  if (last && now - last.at < SHARED_MS) return last.result;
  const result = checkAll();
  last = { at: now, result };
  return result;
}

async function checkAll(): Promise<Readiness> {
  const [database, migrations, runner] = await Promise.all([
    check("the database", async () => {
      const handle = await getDbHandle();
      await handle.db.execute(sql`select 1`);
      return `${handle.driver} answers`;
    }),
    check("the migration check", async () => {
      const pending = await pendingMigrations(await getDbHandle());
      if (pending > 0) throw new Error(`${pending} migration(s) not applied`);
      return "all applied";
    }),
    check("the run executor", async () => {
      const engine = await getEngine();
      if (engine.mode === "embedded") return "the built-in executor runs in this process";
      return reachable(runtimeEnv().INNGEST_BASE_URL ?? INNGEST_CLOUD_EVENT_API);
    }),
  ]);
  return {
    ready: database.ok && migrations.ok && runner.ok,
    checks: { database, migrations, runner },
  };
}
