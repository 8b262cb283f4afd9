/**
 * The REST v1 attack sweep: every route of `restRoutes()` (so a new route is swept as soon as it is in the route
 * table, and this test fails until the table below gives it concrete inputs) is called over real HTTP with no key,
 * with another org's key on this org's ids, with a read-only key of this org on every mutation, and with malformed
 * bodies. Each must be refused with problem+json, leave the victim org's rows exactly as they were (API keys'
 * last_used_at aside), and reveal none of its ids.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { generateApiKey } from "@runnel/auth";
import { apiKeys } from "@runnel/db/schema";

import type { LoopbackServer } from "../rest/serve.fixtures";
import type { EngineHarness } from "../router/runs.fixtures";
import type { Seed, World } from "./sweep.fixtures";
import { createRestHandler, restRoutes } from "../rest/handler";
import { serveOnLoopback } from "../rest/serve.fixtures";
import { createEngineHarness } from "../router/runs.fixtures";
import { seedWorld, snapshotOrg } from "./sweep.fixtures";

interface RestSweepEntry {
  /** The route's path with the victim org's ids filled in. */
  path: (seed: Seed) => string;
  /** A valid body, for routes that read one. */
  body?: (seed: Seed) => unknown;
  /** "victim": the path names victim ids (another org's key gets 404); "own": it acts in the caller's org. */
  foreign: "victim" | "own";
  /** A body with a wrong field, and the field's path the 400 problem must name. */
  malformed?: { body: unknown; field: string };
}

/** One entry per `METHOD /api/v1/...` of the route table. */
const REST_SWEEP: Record<string, RestSweepEntry> = {
  "GET /api/v1/openapi.json": { path: () => "/api/v1/openapi.json", foreign: "own" },
  "POST /api/v1/flows/{idOrSlug}/runs": {
    path: (s) => `/api/v1/flows/${s.flowId}/runs`,
    body: () => ({ name: "sweep" }),
    foreign: "victim",
    malformed: { body: { name: 7 }, field: "name" },
  },
  "GET /api/v1/runs/{id}": { path: (s) => `/api/v1/runs/${s.runId}`, foreign: "victim" },
  "GET /api/v1/runs/{id}/events": {
    path: (s) => `/api/v1/runs/${s.runId}/events`,
    foreign: "victim",
  },
  "POST /api/v1/runs/{id}/cancel": {
    path: (s) => `/api/v1/runs/${s.runId}/cancel`,
    foreign: "victim",
  },
  "POST /api/v1/approvals/{id}": {
    path: (s) => `/api/v1/approvals/${s.approvalId}`,
    body: () => ({ decision: "approve" }),
    foreign: "victim",
    malformed: { body: { decision: "maybe" }, field: "decision" },
  },
};

let t: EngineHarness;
let world: World;
let server: LoopbackServer;
let fullKey: string;
let readOnlyKey: string;

/** A key of the victim org with the given scopes, inserted as `keys create` does. */
async function victimKey(name: string, scopes: string[]): Promise<string> {
  const generated = generateApiKey();
  await t.db.insert(apiKeys).values({
    orgId: world.seed.orgId,
    name,
    prefix: generated.prefix,
    hash: generated.hash,
    scopes,
  });
  return generated.key;
}

beforeAll(async () => {
  t = await createEngineHarness();
  world = await seedWorld(t);
  fullKey = await victimKey("sweep full", []);
  readOnlyKey = await victimKey("sweep read-only", ["runs:read"]);
  server = await serveOnLoopback(
    createRestHandler({
      db: t.db,
      engine: t.engine,
      encryptionKey: t.encryptionKey,
      appUrl: "http://localhost:3000",
    }),
  );
}, 180_000);
afterAll(async () => {
  await server.close();
  await world.provider.close();
  await world.mcpServer.close();
  await t.close();
});

/** The victim's rows; presenting a key stamps its last_used_at, which is not a side effect of the call. */
async function snapshot(): Promise<Record<string, string[]>> {
  const rows = await snapshotOrg(t.db, world.seed.orgId);
  rows.apiKeys = (rows.apiKeys ?? []).map((row) => {
    const { lastUsedAt: _used, ...rest } = JSON.parse(row) as Record<string, unknown>;
    return JSON.stringify(rest);
  });
  return rows;
}

interface Answer {
  status: number;
  contentType: string | null;
  body: Record<string, unknown> | undefined;
  text: string;
}

/** Calls a route over HTTP; an event stream that opens (200) is closed at once. */
async function call(
  method: string,
  path: string,
  key: string | undefined,
  body?: unknown,
  rawBody?: string,
): Promise<Answer> {
  const controller = new AbortController();
  const response = await fetch(`${server.url}${path}`, {
    method,
    signal: controller.signal,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body !== undefined || rawBody !== undefined
        ? { "content-type": "application/json" }
        : {}),
    },
    ...(rawBody !== undefined
      ? { body: rawBody }
      : body !== undefined
        ? { body: JSON.stringify(body) }
        : {}),
  });
  const contentType = response.headers.get("content-type");
  if (contentType?.startsWith("text/event-stream")) {
    controller.abort();
    return { status: response.status, contentType, body: undefined, text: "" };
  }
  const text = await response.text();
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, contentType, body: parsed, text };
}

const routes = restRoutes();
const entryOf = (route: { method: string; path: string }): RestSweepEntry => {
  const entry = REST_SWEEP[`${route.method} ${route.path}`];
  if (!entry) throw new Error(`REST_SWEEP has no entry for ${route.method} ${route.path}`);
  return entry;
};
const victimIds = () => Object.values(world.seed as unknown as Record<string, string>);

describe("REST v1 attack sweep", () => {
  it("has an entry for every route of restRoutes(), and none for routes that are gone", () => {
    const keys = routes.map((route) => `${route.method} ${route.path}`);
    expect(keys.filter((key) => !(key in REST_SWEEP))).toEqual([]);
    expect(Object.keys(REST_SWEEP).filter((key) => !keys.includes(key))).toEqual([]);
    expect(routes.filter((route) => route.method !== "GET").length).toBeGreaterThan(0);
  });

  it("(control) the org's own full key is answered on every read route", async () => {
    for (const route of routes.filter((r) => r.method === "GET")) {
      const answer = await call("GET", entryOf(route).path(world.seed), fullKey);
      expect(answer.status, `${route.method} ${route.path}`).toBe(200);
    }
  });

  it("(a) with no key, every route answers 401 problem+json and changes nothing", async () => {
    const before = await snapshot();
    for (const route of routes) {
      const entry = entryOf(route);
      const answer = await call(
        route.method,
        entry.path(world.seed),
        undefined,
        entry.body?.(world.seed),
      );
      const label = `${route.method} ${route.path}`;
      expect(answer.status, label).toBe(401);
      expect(answer.contentType, label).toBe("application/problem+json");
      expect(answer.body, label).toMatchObject({
        status: 401,
        type: expect.stringContaining("unauthorized") as string,
      });
    }
    expect(await snapshot()).toEqual(before);
  });

  it("(b) another org's key gets 404 on this org's ids, changes nothing and sees none of them", async () => {
    const before = await snapshot();
    const wrong: string[] = [];
    for (const route of routes) {
      const entry = entryOf(route);
      const answer = await call(
        route.method,
        entry.path(world.seed),
        world.attacker.apiKey,
        entry.body?.(world.seed),
      );
      const label = `${route.method} ${route.path} → ${answer.status}`;
      const expected = entry.foreign === "victim" ? 404 : 200;
      if (answer.status !== expected) wrong.push(label);
      if (expected === 404 && answer.contentType !== "application/problem+json")
        wrong.push(`${label} is not problem+json`);
      // The id the caller sent may be echoed back ("Run … was not found"); no other victim id may appear.
      const path = entry.path(world.seed);
      const revealed = victimIds().filter((id) => !path.includes(id) && answer.text.includes(id));
      if (revealed.length > 0) wrong.push(`${label} revealed ${revealed.join(", ")}`);
    }
    expect(wrong).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it("(c) a read-only key (scopes runs:read) gets 403 on every mutation and changes nothing", async () => {
    const before = await snapshot();
    const mutations = routes.filter((route) => route.method !== "GET");
    for (const route of mutations) {
      const entry = entryOf(route);
      const answer = await call(
        route.method,
        entry.path(world.seed),
        readOnlyKey,
        entry.body?.(world.seed),
      );
      const label = `${route.method} ${route.path}`;
      expect(answer.status, label).toBe(403);
      expect(answer.contentType, label).toBe("application/problem+json");
      expect(answer.body?.requiredScope, label).toBe("runs:write");
      expect(route.scope, label).toBe("runs:write");
    }
    // It still reads, and acts as a viewer in tRPC.
    const run = await call("GET", `/api/v1/runs/${world.seed.runId}`, readOnlyKey);
    expect(run.status).toBe(200);
    const trpc = await t.caller({ apiKey: readOnlyKey });
    await expect(trpc.runs.cancel({ id: world.seed.runId })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    expect((await trpc.runs.list({})).items.map((r) => r.id)).toContain(world.seed.runId);
    expect(await snapshot()).toEqual(before);
  });

  it("malformed bodies answer 400 with field-level problem details and change nothing", async () => {
    const before = await snapshot();
    const withBody = routes.filter((route) => entryOf(route).body !== undefined);
    expect(withBody.length).toBeGreaterThan(0);
    for (const route of withBody) {
      const entry = entryOf(route);
      const label = `${route.method} ${route.path}`;
      if (!entry.malformed)
        throw new Error(`${label} reads a body: give REST_SWEEP a malformed one`);
      const wrongField = await call(
        route.method,
        entry.path(world.seed),
        fullKey,
        entry.malformed.body,
      );
      expect(wrongField.status, label).toBe(400);
      expect(wrongField.contentType, label).toBe("application/problem+json");
      const errors = (wrongField.body?.errors ?? []) as { path: string; message: string }[];
      expect(
        errors.map((e) => e.path),
        label,
      ).toContain(entry.malformed.field);

      const notJson = await call(
        route.method,
        entry.path(world.seed),
        fullKey,
        undefined,
        "{not json",
      );
      expect(notJson.status, label).toBe(400);
      expect(notJson.contentType, label).toBe("application/problem+json");
    }
    expect(await snapshot()).toEqual(before);
  });
});
