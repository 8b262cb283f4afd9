/**
 * Session check benchmark: what revocable sessions add to every signed-in request (docs/auth.md, "Sessions"). Each
 * request's JWT names a session id; isSessionLive hashes it and reads its row by primary key. This measures that call
 * alone, sequentially (next to a `select 1` round trip, the floor of any statement) and with 10 requests in flight, on
 * each database the app can use.
 *
 *   pnpm --filter @runnel/bench exec tsx sessions.ts
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres pnpm --filter @runnel/bench exec tsx sessions.ts
 * Environment: BENCH_CHECKS (sequential checks, 2000), BENCH_SESSIONS (rows in the table, 1000), BENCH_SKIP_PGLITE=1.
 */
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";

import { applyMigrations, sql } from "@runnel/db";

import { createSession, isSessionLive } from "../packages/auth/src/sessions";
import { registerUser } from "../packages/auth/src/users";
import { forEachBenchDatabase } from "./databases";

const CHECKS = Number(process.env.BENCH_CHECKS ?? 2000);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 1000);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

await forEachBenchDatabase("sessions", async (label, handle) => {
  await applyMigrations(handle);
  const { userId } = await registerUser(handle.db, {
    name: "Bench",
    email: "bench@example.com",
    password: "bench-password-1",
  });
  const ids: string[] = [];
  for (let i = 0; i < SESSIONS; i++) ids.push(await createSession(handle.db, userId));

  for (let i = 0; i < 200; i++) await isSessionLive(handle.db, ids[i % ids.length] ?? "", userId);

  const times: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < CHECKS; i++) {
    let started = performance.now();
    const live = await isSessionLive(handle.db, ids[i % ids.length] ?? "", userId);
    times.push(performance.now() - started);
    if (!live) throw new Error("a live session was refused");
    started = performance.now();
    await handle.db.execute(sql`select 1`);
    baseline.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  baseline.sort((a, b) => a - b);
  const mean = times.reduce((sum, t) => sum + t, 0) / times.length;

  const concurrent = 10;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrent }, async (_, worker) => {
      for (let i = worker; i < CHECKS; i += concurrent)
        await isSessionLive(handle.db, ids[i % ids.length] ?? "", userId);
    }),
  );
  const perSecond = CHECKS / ((performance.now() - started) / 1000);

  const us = (ms: number) => `${Math.round(ms * 1000)} µs`;
  console.log(
    `${label}: ${CHECKS} checks over ${SESSIONS} sessions: mean ${us(mean)}, p50 ${us(percentile(times, 0.5))}, ` +
      `p99 ${us(percentile(times, 0.99))}; ${Math.round(perSecond)} checks/s with ${concurrent} in flight; ` +
      `a "select 1" round trip meanwhile: p50 ${us(percentile(baseline, 0.5))}`,
  );
});
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")} on ${cpus().length} cores`,
);
