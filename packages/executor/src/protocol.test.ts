import { describe, expect, it } from "vitest";

import { backoffDelay, retryAfterDelay } from "./backoff";
import { evaluateKey, matches } from "./cel";
import { seededEventId, ulid } from "./ids";
import { checkFunctionConfig, parseDuration, sleepUntil } from "./protocol";
import { nextCronTime } from "./registry";

describe("protocol helpers", () => {
  it("parses Inngest time strings", () => {
    expect(parseDuration("1s")).toBe(1000);
    expect(parseDuration("2h30m10s")).toBe(9_010_000);
    expect(parseDuration("1w1d")).toBe(8 * 86_400_000);
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("soon")).toBeUndefined();
    expect(parseDuration("1x")).toBeUndefined();
  });

  it("reads Sleep op names as a duration or an ISO date", () => {
    const now = new Date("2026-01-01T00:00:00.000Z");
    expect(sleepUntil("1m", now)?.toISOString()).toBe("2026-01-01T00:01:00.000Z");
    expect(sleepUntil("2026-02-01T00:00:00.000Z", now)?.toISOString()).toBe(
      "2026-02-01T00:00:00.000Z",
    );
    expect(sleepUntil("not a time", now)).toBeUndefined();
  });

  it("names every unsupported function option", () => {
    const { problems } = checkFunctionConfig(
      {
        id: "app-fn",
        triggers: [{ event: "x" }],
        steps: { step: { id: "step", runtime: { type: "http", url: "http://127.0.0.1/api" } } },
        rateLimit: { limit: 1, period: "1m" },
        batchEvents: { maxSize: 10, timeout: "5s" },
        concurrency: [{ limit: 1, scope: "account" }],
      },
      0,
    );
    expect(problems).toEqual([
      'function "app-fn": option "batchEvents" is not supported by the Runnel executor',
      'function "app-fn": option "rateLimit" is not supported by the Runnel executor',
      'function "app-fn": concurrency scope "account" is not supported (use "fn" or "env")',
    ]);
    expect(checkFunctionConfig({ id: "x", steps: {} }, 3).problems).toEqual([
      'function "x": steps.step (the serve URL) is missing',
    ]);
    expect(checkFunctionConfig({ triggers: [] }, 2).problems[0]).toMatch(/^functions\[2\]\.id/);
  });
});

describe("CEL", () => {
  it("matches expressions over event and async; errors count as no match", () => {
    const event = { data: { id: "a", amount: 150 } };
    expect(matches("event.data.amount > 100", { event })).toBe(true);
    expect(matches("event.data.id == async.data.id", { event, async: { data: { id: "a" } } })).toBe(
      true,
    );
    expect(matches("event.data.id == async.data.id", { event, async: { data: { id: "b" } } })).toBe(
      false,
    );
    expect(matches("event.data.missing == 1", { event })).toBe(false);
    expect(matches(undefined, { event })).toBe(true);
  });

  it("evaluates keys to strings", () => {
    expect(evaluateKey("event.data.id", { event: { data: { id: "k" } } })).toBe("k");
    expect(evaluateKey("event.data.n", { event: { data: { n: 3 } } })).toBe("3");
    expect(evaluateKey("event.data.nope", { event: { data: {} } })).toBeUndefined();
  });
});

describe("retry timing", () => {
  it("backs off exponentially with jitter, scaled, capped", () => {
    const half = () => 0;
    expect(backoffDelay(0, { scale: 1, random: half })).toBe(7500);
    expect(backoffDelay(2, { scale: 1, random: () => 1 })).toBe(60_000);
    expect(backoffDelay(30, { scale: 1, random: () => 1 })).toBe(2 * 60 * 60 * 1000);
    expect(backoffDelay(1, { scale: 0.001, random: () => 1 })).toBe(30);
  });

  it("reads Retry-After as seconds or a date", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterDelay("3", now)).toBe(3000);
    expect(retryAfterDelay("2026-01-01T00:00:10Z", now)).toBe(10_000);
    expect(retryAfterDelay("garbage", now)).toBeUndefined();
    expect(retryAfterDelay(null, now)).toBeUndefined();
  });
});

describe("ids and cron", () => {
  it("makes time-ordered ULIDs and stable seeded event ids", () => {
    const a = ulid(1_000);
    const b = ulid(2_000);
    expect(a).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(a < b).toBe(true);
    expect(seededEventId("1700000000000,YWJj", 0)).toBe(seededEventId("1700000000000,YWJj", 0));
    expect(seededEventId("1700000000000,YWJj", 0)).not.toBe(seededEventId("1700000000000,YWJj", 1));
    expect(seededEventId("bad", 0)).toBeUndefined();
  });

  it("computes the next cron time, with a TZ prefix", () => {
    const after = new Date("2026-01-01T10:07:00Z");
    expect(nextCronTime("0 * * * *", after)?.toISOString()).toBe("2026-01-01T11:00:00.000Z");
    expect(nextCronTime("TZ=Europe/Paris 0 12 * * *", after)?.toISOString()).toBe(
      "2026-01-01T11:00:00.000Z",
    );
  });
});
