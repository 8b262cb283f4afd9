import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Harness } from "../../test/harness";
import type { SweepServer } from "./sweep.fixtures";
import { createHarness } from "../../test/harness";
import { rateLimitEnv, rateLimitOptionsFromEnv } from "./env";
import { createRateLimits, DEFAULT_RATE_LIMITS, RateLimitExceededError } from "./rate-limit";
import { callOverHttp, startServer } from "./sweep.fixtures";

describe("createRateLimits", () => {
  it("refuses the call past the budget with the seconds until the window ends; keys and scopes are separate", async () => {
    const limits = createRateLimits({ apiKey: { points: 2, durationSeconds: 60 } });
    await limits.consume("apiKey", "a");
    await limits.consume("apiKey", "a");
    const refused = await limits.consume("apiKey", "a").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitExceededError);
    const { scope, retryAfterSeconds, message } = refused as RateLimitExceededError;
    expect(scope).toBe("apiKey");
    expect(retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(message).toMatch(/this API key \(limit 2 per 60 s\)/);
    await limits.consume("apiKey", "b");
    await limits.consume("org", "a");
  });

  it("turns a scope off with null and rejects budgets that are not whole numbers ≥ 1", async () => {
    const limits = createRateLimits({ org: null, apiKey: { points: 1, durationSeconds: 1 } });
    for (let i = 0; i < DEFAULT_RATE_LIMITS.org.points + 5; i++) await limits.consume("org", "o");
    expect(() => createRateLimits({ authIp: { points: 0, durationSeconds: 60 } })).toThrow(
      /authIp: points must be a whole number ≥ 1, got 0/,
    );
    expect(() => createRateLimits({ org: { points: 5, durationSeconds: 0.5 } })).toThrow(
      /org: durationSeconds/,
    );
  });

  it("reads RUNNEL_RATE_LIMIT_* as <requests>/<seconds> or off, naming a bad variable", () => {
    expect(
      rateLimitOptionsFromEnv(
        rateLimitEnv({
          RUNNEL_RATE_LIMIT_API_KEY: "100/10",
          RUNNEL_RATE_LIMIT_ORG: "off",
          RUNNEL_RATE_LIMIT_AUTH_IP: "",
        }),
      ),
    ).toEqual({ apiKey: { points: 100, durationSeconds: 10 }, org: null });
    expect(() => rateLimitEnv({ RUNNEL_RATE_LIMIT_ORG: "lots" })).toThrow();
    expect(() => rateLimitEnv({ RUNNEL_RATE_LIMIT_AUTH_IP: "0/60" })).toThrow();
  });
});

describe("rate limits over HTTP", () => {
  let t: Harness;
  let server: SweepServer;

  beforeAll(async () => {
    t = await createHarness();
    server = await startServer(t, {
      rateLimits: createRateLimits({
        apiKey: { points: 3, durationSeconds: 600 },
        org: { points: 6, durationSeconds: 600 },
        authIp: { points: 2, durationSeconds: 600 },
      }),
    });
  });
  afterAll(async () => {
    await server.close();
    await t.close();
  });

  const meGet = { path: "me.get", type: "query" } as const;
  const listFlows = { path: "flows.list", type: "query" } as const;

  it("an API key's burst past its budget gets 429 with Retry-After; another key has its own budget", async () => {
    const ada = await t.user("Ada");
    const bea = await t.user("Bea");
    const adaKey = (await ada.caller.apiKeys.create({ name: "burst" })).key;
    const beaKey = (await bea.caller.apiKeys.create({ name: "calm" })).key;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const outcome = await callOverHttp(server, meGet.path, meGet.type, undefined, {
        kind: "apiKey",
        key: adaKey,
      });
      statuses.push(outcome.status);
      if (i === 3) {
        expect(outcome.code).toBe("TOO_MANY_REQUESTS");
        expect(Number(outcome.retryAfter)).toBeGreaterThanOrEqual(1);
        expect(Number(outcome.retryAfter)).toBeLessThanOrEqual(600);
      } else {
        expect(outcome.retryAfter).toBeNull();
      }
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    const other = await callOverHttp(server, meGet.path, meGet.type, undefined, {
      kind: "apiKey",
      key: beaKey,
    });
    expect(other.status).toBe(200);
  });

  it("an org's calls share one budget across its members; another org's calls do not count", async () => {
    const cleo = await t.user("Cleo");
    const dan = await t.user("Dan");
    await t.addMember(cleo.orgId, dan.userId, "viewer");
    const eve = await t.user("Eve");
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const userId = i % 2 === 0 ? cleo.userId : dan.userId;
      const outcome = await callOverHttp(server, listFlows.path, listFlows.type, undefined, {
        kind: "session",
        userId,
        org: cleo.orgId,
      });
      statuses.push(outcome.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429]);
    const elsewhere = await callOverHttp(server, listFlows.path, listFlows.type, undefined, {
      kind: "session",
      userId: eve.userId,
    });
    expect(elsewhere.status).toBe(200);
    // Calls that are not org-scoped (who am I) are not counted against the org.
    const me = await callOverHttp(server, meGet.path, meGet.type, undefined, {
      kind: "session",
      userId: cleo.userId,
    });
    expect(me.status).toBe(200);
  });

  it("sign-ups from one address past the budget get 429 with Retry-After; another address is not affected", async () => {
    const signUp = (n: number, ip: string) =>
      callOverHttp(
        server,
        "auth.signUp",
        "mutation",
        { name: "Bot", email: `bot-${n}-${ip}@example.com`, password: "password-123" },
        { kind: "none" },
        { "x-forwarded-for": ip },
      );
    expect((await signUp(1, "198.51.100.7")).status).toBe(200);
    expect((await signUp(2, "198.51.100.7")).status).toBe(200);
    const refused = await signUp(3, "198.51.100.7");
    expect(refused.status).toBe(429);
    expect(refused.code).toBe("TOO_MANY_REQUESTS");
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await signUp(4, "203.0.113.9")).status).toBe(200);
  });
});
