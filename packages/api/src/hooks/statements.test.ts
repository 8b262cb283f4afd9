/**
 * Statements per webhook delivery on a Postgres server, counted at the pg client (every query node-postgres sends),
 * before and after the hot-path caching (docs/rest.md, "Caching and invalidation"; docs/security.md, "Rate limits"):
 * "before" reads the hook on every delivery and writes the org's rate-limit count on every delivery (allowance 1, what
 * the per-request store did); "after" serves the hook from the process cache and counts in memory. The whole run is
 * counted (engine included), and the API layer's own statements apart.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { FlowDefinitionInput } from "@runnel/engine";
import { queryRows, sql } from "@runnel/db";

import type { RestDeps } from "../rest/handler";
import type { EngineHarness } from "../router/runs.fixtures";
import { createLookups } from "../lookups";
import { listenForLookupChanges } from "../lookups/invalidation";
import { createEngineHarness, publishedFlow } from "../router/runs.fixtures";
import { createRateLimits, rateLimitStoreFor } from "../security/rate-limit";
import { createHookHandler } from "./handler";

const DELIVERIES = 20;
const JSON_TYPE = { "content-type": "application/json" };
/** Marks this test's own quiescence polls, which are not counted. */
const POLL_MARK = "/* statements-test poll */";

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

/** Every statement node-postgres sends in this process while `on`, by what it touches. */
function statementCounter() {
  const counts = { total: 0, hookLookup: 0, rateLimit: 0 };
  let on = false;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- put back unchanged by restore(), called with its client
  const original = pg.Client.prototype.query;
  // A spy at the wire's edge: the client's query method, called for pool and transaction queries alike.
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0];
    const text =
      typeof first === "string" ? first : ((first as { text?: string } | undefined)?.text ?? "");
    if (on && !text.includes(POLL_MARK)) {
      counts.total += 1;
      if (/from "triggers"/.test(text) || /select "definition" from "flow_versions"/.test(text))
        counts.hookLookup += 1;
      if (text.includes("runnel_rate_limit")) counts.rateLimit += 1;
    }
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof pg.Client.prototype.query;
  return {
    counts,
    start() {
      counts.total = counts.hookLookup = counts.rateLimit = 0;
      on = true;
    },
    stop() {
      on = false;
      return { ...counts };
    },
    restore() {
      pg.Client.prototype.query = original;
    },
  };
}

describe.skipIf(!process.env.TEST_DATABASE_URL)(
  "statements per webhook delivery (Postgres server)",
  () => {
    let h: EngineHarness;
    let url: string;
    const counter = statementCounter();

    beforeAll(async () => {
      h = await createEngineHarness();
      const ada = await h.user("Ada");
      const flowId = await publishedFlow(ada.caller, "Statements", flow);
      const [webhook] = (await ada.caller.triggers.list({ flowId })).webhooks;
      if (!webhook) throw new Error("no webhook row");
      url = `http://127.0.0.1/api/hooks/${webhook.hookId}`;
    }, 120_000);
    afterAll(async () => {
      counter.restore();
      await h.close();
    });

    async function quiet(): Promise<void> {
      for (;;) {
        const [row] = await queryRows<{ n: number }>(
          h.db,
          sql.raw(
            `${POLL_MARK} select count(*)::int as n from runs where status not in ('succeeded','failed','cancelled')`,
          ),
        );
        if (row?.n === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }

    async function measure(deps: RestDeps) {
      const deliver = createHookHandler(deps);
      // Warm-up: caches, prepared plans, pool connections.
      for (let i = 0; i < 3; i++)
        await (
          await deliver(
            new Request(url, { method: "POST", headers: JSON_TYPE, body: '{"name":"w"}' }),
          )
        ).text();
      await quiet();
      counter.start();
      const began = performance.now();
      for (let i = 0; i < DELIVERIES; i++) {
        const response = await deliver(
          new Request(url, { method: "POST", headers: JSON_TYPE, body: `{"name":"n${i}"}` }),
        );
        const text = await response.text();
        expect(response.status, text).toBe(200);
      }
      await quiet();
      await deps.rateLimits?.flush();
      const counted = counter.stop();
      return {
        seconds: (performance.now() - began) / 1000,
        total: counted.total / DELIVERIES,
        api: (counted.hookLookup + counted.rateLimit) / DELIVERIES,
        hookLookup: counted.hookLookup / DELIVERIES,
        rateLimit: counted.rateLimit / DELIVERIES,
      };
    }

    it("the hook lookup and the rate-limit count leave the hot path", async () => {
      const base = {
        db: h.db,
        engine: h.engine,
        encryptionKey: h.encryptionKey,
        appUrl: "http://localhost:3000",
      };
      const rule = { org: { points: 1_000_000, durationSeconds: 60 }, apiKey: null, authIp: null };
      const store = () => Promise.resolve(rateLimitStoreFor({ driver: "pg", db: h.db }));
      const beforeLimits = createRateLimits(rule, store, {
        allowance: () => 1,
        flushIntervalMs: 3_600_000,
      });
      const afterLimits = createRateLimits(rule, store);
      const lookups = createLookups(() =>
        listenForLookupChanges({ driver: "pg" }, process.env.TEST_DATABASE_URL),
      );
      expect(await lookups.ready()).toBe(true);
      const before = await measure({ ...base, rateLimits: beforeLimits });
      const after = await measure({ ...base, rateLimits: afterLimits, lookups });
      console.info(
        `statements per webhook → Set → Respond delivery (c=1, ${DELIVERIES} deliveries, whole run included):\n` +
          `  before: ${before.total.toFixed(2)} total, ${before.api.toFixed(2)} in the API layer (hook ${before.hookLookup.toFixed(2)}, rate limit ${before.rateLimit.toFixed(2)})\n` +
          `  after:  ${after.total.toFixed(2)} total (${(DELIVERIES / after.seconds).toFixed(1)} deliveries/s), ${after.api.toFixed(2)} in the API layer (hook ${after.hookLookup.toFixed(2)}, rate limit ${after.rateLimit.toFixed(2)})`,
      );
      expect(before.hookLookup).toBeGreaterThanOrEqual(1);
      expect(before.rateLimit).toBeGreaterThanOrEqual(0.9);
      expect(after.hookLookup).toBe(0);
      // No request waited for a rate-limit statement: the only ones are the timer's flushes (one a second) and the
      // final one.
      expect(after.rateLimit * DELIVERIES).toBeLessThanOrEqual(Math.ceil(after.seconds) + 1);
      expect(after.total).toBeLessThan(before.total);
      await beforeLimits.close();
      await afterLimits.close();
      await lookups.close();
    });
  },
);
