/**
 * Rate limits on a Postgres server: counted in memory, flushed in batches to one table shared by every process. Two
 * limit sets on two separate connection pools (what two server processes have) draw from one budget, overshooting it
 * by at most the documented allowance per process, and the hot path makes no statement per request. Runs where
 * TEST_DATABASE_URL names a server (the CI's test:db phase), on node-postgres and on the Neon driver.
 */
import { afterAll, beforeAll, expect, it } from "vitest";

import type { DbHandle } from "@runnel/db";
import type { NeonProxy } from "@runnel/db/testing";
import { createDb } from "@runnel/db";
import { describeEachDriver, startNeonProxy } from "@runnel/db/testing";

import type { PgQueryable, RateLimits } from "./rate-limit";
import {
  createRateLimits,
  DEFAULT_RATE_LIMITS,
  defaultAllowance,
  RATE_LIMIT_TABLE,
  RateLimitExceededError,
  rateLimitStoreFor,
} from "./rate-limit";

/** The handle's pool, counting the statements sent through it. */
function countingPool(handle: DbHandle) {
  const store = rateLimitStoreFor(handle);
  if (store.kind !== "postgres") throw new Error("expected the Postgres store");
  const counted = { statements: 0 };
  const pool: PgQueryable = {
    query: (config) => {
      counted.statements += 1;
      return store.pool.query(config);
    },
  };
  return { pool, counted };
}

const refused = (limits: RateLimits, key: string) =>
  limits.consume("apiKey", key).then(
    () => false,
    (error: unknown) => {
      expect(error).toBeInstanceOf(RateLimitExceededError);
      return true;
    },
  );

describeEachDriver(
  "rate limits counted in memory, shared through the Postgres server",
  (suite) => {
    let other: DbHandle;
    let proxy: NeonProxy | undefined;
    const opened: RateLimits[] = [];

    beforeAll(async () => {
      const url = suite.handle.url;
      if (!url) throw new Error("the suite's server database has no url");
      proxy = suite.driver === "neon" ? await startNeonProxy() : undefined;
      other = await createDb({
        url,
        driver: suite.driver,
        neonWsProxy: proxy?.wsProxy,
        maxConnections: 2,
      });
    });
    afterAll(async () => {
      for (const limits of opened) await limits.close();
      await other.close();
      await proxy?.close();
    });

    /** Two processes' limit sets with one budget `rule` for API keys; flushes only when asked (or at the allowance). */
    function twoProcesses(points: number) {
      const rule = { apiKey: { points, durationSeconds: 600 }, org: null, authIp: null };
      const counting = { flushIntervalMs: 3_600_000 };
      const first = countingPool(suite.handle);
      const second = countingPool(other);
      const a = createRateLimits(
        rule,
        () => Promise.resolve({ kind: "postgres", pool: first.pool }),
        counting,
      );
      const b = createRateLimits(
        rule,
        () => Promise.resolve({ kind: "postgres", pool: second.pool }),
        counting,
      );
      opened.push(a, b);
      return { a, b, statements: () => first.counted.statements + second.counted.statements };
    }

    it("the hot path makes no statement per request: 400 requests on 40 keys, then one flush per process", async () => {
      const { a, b, statements } = twoProcesses(1000);
      for (let i = 0; i < 400; i++) await (i % 2 ? a : b).consume("apiKey", `quiet-${i % 40}`);
      expect(statements()).toBe(0);
      await a.flush();
      await b.flush();
      // Per process: creating the table if needed, then one INSERT … ON CONFLICT for all of its keys.
      expect(statements()).toBe(4);
      const pool = rateLimitStoreFor(suite.handle);
      if (pool.kind !== "postgres") throw new Error("expected the Postgres store");
      const { rows } = await pool.pool.query({
        text: `select sum(count)::int as total, count(*)::int as keys from ${RATE_LIMIT_TABLE} where key like 'apiKey:quiet-%'`,
      });
      expect(rows).toEqual([{ total: 400, keys: 40 }]);
    });

    it("two processes draw from one budget: once it is spent each admits at most its allowance more, then refuses", async () => {
      const { a, b } = twoProcesses(40);
      const allowance = defaultAllowance({ points: 40, durationMs: 600_000 });
      for (let i = 0; i < 40; i++) await (i % 2 ? a : b).consume("apiKey", "shared");
      let extra = 0;
      for (const limits of [a, b]) {
        while (!(await refused(limits, "shared"))) extra += 1;
      }
      expect(extra).toBeLessThanOrEqual(2 * allowance);
      const error = await a.consume("apiKey", "shared").catch((caught: unknown) => caught);
      expect((error as RateLimitExceededError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect((error as RateLimitExceededError).retryAfterSeconds).toBeLessThanOrEqual(600);
      await b.consume("apiKey", "another");
    });

    it("concurrent bursts from both processes overshoot the budget by at most the allowance per process", async () => {
      const points = 200;
      const { a, b, statements } = twoProcesses(points);
      const allowance = defaultAllowance({ points, durationMs: 600_000 });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 1000 }, (_, i) => (i % 2 ? a : b).consume("apiKey", "burst")),
      );
      const admitted = outcomes.filter((o) => o.status === "fulfilled").length;
      for (const outcome of outcomes.filter((o) => o.status === "rejected")) {
        expect(outcome.reason).toBeInstanceOf(RateLimitExceededError);
      }
      console.info(
        `[${suite.driver}] 1000 requests at once on 2 processes, budget ${points}, allowance ${allowance}: ` +
          `${admitted} admitted, ${statements()} statements`,
      );
      expect(admitted).toBeGreaterThanOrEqual(points);
      expect(admitted).toBeLessThanOrEqual(points + 2 * allowance);
      expect(statements()).toBeLessThanOrEqual(2 + Math.ceil(admitted / allowance) + 2);
    });

    it("a store that cannot be reached leaves each process counting alone", async () => {
      const rule = { apiKey: { points: 3, durationSeconds: 600 }, org: null, authIp: null };
      const broken: PgQueryable = { query: () => Promise.reject(new Error("connection refused")) };
      const errors: unknown[] = [];
      const limits = createRateLimits(
        rule,
        () => Promise.resolve({ kind: "postgres", pool: broken }),
        {
          allowance: () => 1,
          onFlushError: (error) => errors.push(error),
        },
      );
      opened.push(limits);
      for (let i = 0; i < 3; i++) await limits.consume("apiKey", "alone");
      expect(await refused(limits, "alone")).toBe(true);
      expect(errors.length).toBeGreaterThan(0);
    });
  },
  { drivers: ["pg", "neon"] },
);

it("PGlite keeps its counters in memory (one process holds the database), exactly", async () => {
  expect(rateLimitStoreFor({ driver: "pglite", db: {} as never })).toEqual({ kind: "memory" });
  const limits = createRateLimits({ apiKey: { points: 50, durationSeconds: 60 } });
  const outcomes = await Promise.allSettled(
    Array.from({ length: 80 }, () => limits.consume("apiKey", "k")),
  );
  expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(50);
  expect(DEFAULT_RATE_LIMITS.apiKey.points).toBe(600);
});

it("windows are aligned to the clock: the next window admits again, Retry-After is the time to its start", async () => {
  let clock = 1_000_000_000_000;
  const limits = createRateLimits({ apiKey: { points: 2, durationSeconds: 60 } }, undefined, {
    now: () => clock,
  });
  const windowEnd = Math.ceil(clock / 60_000) * 60_000;
  await limits.consume("apiKey", "w");
  await limits.consume("apiKey", "w");
  const error = await limits.consume("apiKey", "w").catch((caught: unknown) => caught);
  expect((error as RateLimitExceededError).retryAfterSeconds).toBe(
    Math.ceil((windowEnd - clock) / 1000),
  );
  clock = windowEnd;
  await limits.consume("apiKey", "w");
});
