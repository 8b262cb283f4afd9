/**
 * Rate limits on a Postgres server are shared between processes: two limit sets on two separate connection pools
 * (what two server processes have) draw from one budget. Runs where TEST_DATABASE_URL names a server (the CI's
 * test:db phase), on node-postgres and on the Neon driver.
 */
import { afterAll, beforeAll, expect, it } from "vitest";

import type { DbHandle } from "@runnel/db";
import type { NeonProxy } from "@runnel/db/testing";
import { createDb } from "@runnel/db";
import { describeEachDriver, startNeonProxy } from "@runnel/db/testing";

import { createRateLimits, RateLimitExceededError, rateLimitStoreFor } from "./rate-limit";

describeEachDriver(
  "rate limits shared through the Postgres server",
  (suite) => {
    let other: DbHandle;
    let proxy: NeonProxy | undefined;

    beforeAll(async () => {
      const url = suite.handle.url;
      if (!url) throw new Error("the suite's server database has no url");
      // A second pool of its own, as a second server process would have.
      proxy = suite.driver === "neon" ? await startNeonProxy() : undefined;
      other = await createDb({
        url,
        driver: suite.driver,
        neonWsProxy: proxy?.wsProxy,
        maxConnections: 2,
      });
    });
    afterAll(async () => {
      await other.close();
      await proxy?.close();
    });

    // Every scope on, as the app has them: each scope's limiter shares the one counters table.
    const rule = {
      apiKey: { points: 4, durationSeconds: 600 },
      org: { points: 5, durationSeconds: 600 },
      authIp: { points: 3, durationSeconds: 600 },
    };

    it("two processes' limiters draw from one budget per key; another key has its own", async () => {
      const first = createRateLimits(rule, () => Promise.resolve(rateLimitStoreFor(suite.handle)));
      const second = createRateLimits(rule, () => Promise.resolve(rateLimitStoreFor(other)));
      await first.consume("apiKey", "shared");
      await second.consume("apiKey", "shared");
      await first.consume("apiKey", "shared");
      await second.consume("apiKey", "shared");
      const refusedHere = await first.consume("apiKey", "shared").catch((error: unknown) => error);
      const refusedThere = await second
        .consume("apiKey", "shared")
        .catch((error: unknown) => error);
      expect(refusedHere).toBeInstanceOf(RateLimitExceededError);
      expect(refusedThere).toBeInstanceOf(RateLimitExceededError);
      expect((refusedThere as RateLimitExceededError).retryAfterSeconds).toBeGreaterThan(590);
      await second.consume("apiKey", "another");
      // The other scopes count apart from the API-key one, with their own budgets.
      for (let i = 0; i < 5; i++) await (i % 2 ? first : second).consume("org", "shared");
      await expect(first.consume("org", "shared")).rejects.toBeInstanceOf(RateLimitExceededError);

      const pool = rateLimitStoreFor(other);
      if (pool.kind !== "postgres") throw new Error("expected the Postgres store");
      const counted = await pool.pool.query({
        text: "select points from runnel_rate_limits where key = $1",
        values: ["apiKey:shared"],
      });
      expect(counted.rows).toEqual([{ points: 6 }]);
    });

    it("concurrent requests from both processes never overspend the budget", async () => {
      const first = createRateLimits(rule, () => Promise.resolve(rateLimitStoreFor(suite.handle)));
      const second = createRateLimits(rule, () => Promise.resolve(rateLimitStoreFor(other)));
      const outcomes = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) => (i % 2 ? first : second).consume("apiKey", "race")),
      );
      expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(4);
      for (const outcome of outcomes.filter((o) => o.status === "rejected")) {
        expect(outcome.reason).toBeInstanceOf(RateLimitExceededError);
      }
    });
  },
  { drivers: ["pg", "neon"] },
);

it("PGlite keeps its counters in memory (one process holds the database)", () => {
  expect(rateLimitStoreFor({ driver: "pglite", db: {} as never })).toEqual({ kind: "memory" });
});
