import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, request, test } from "@playwright/test";

import type { ServerProcess } from "./fixtures/server-process";
import { attributeOf, startOtlpReceiver } from "./fixtures/otlp-receiver";
import { startServerProcess, waitForStatus } from "./fixtures/server-process";
import { mutate, query } from "./fixtures/trpc";
import { person } from "./helpers";

/**
 * Operations against real `next start` processes of the production build (docs/operations.md): a start that fails
 * loudly, a restart after kill -9 of the whole process group, health, readiness, request ids, JSON logs, metrics
 * and traces. Each test starts its own servers on free ports with their own data folders.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const servers: ServerProcess[] = [];

test.describe.configure({ mode: "serial", timeout: 300_000 });

test.afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

async function start(options: Parameters<typeof startServerProcess>[0] = {}) {
  const server = await startServerProcess(options);
  servers.push(server);
  return server;
}

/** Field 22 of /proc/<pid>/stat: the process's start time, in clock ticks since boot. */
function startTimeOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? "";
}

async function expectFailedStart(server: ServerProcess, reason: string | RegExp) {
  const { code } = await server.exited;
  expect(code, server.lines.join("\n")).toBe(1);
  const fatal = server.logs().find((line) => line.level === "fatal");
  expect(fatal, server.lines.join("\n")).toBeDefined();
  expect(String(fatal?.msg)).toMatch(/^Runnel cannot start: /);
  expect(String(fatal?.msg)).toMatch(reason);
}

test("a server whose data folder is held by a live process exits 1 with the reason", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "runnel-ops-held-"));
  const holder = spawn("sleep", ["300"], { stdio: "ignore" });
  try {
    const pid = holder.pid ?? 0;
    const bootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    writeFileSync(
      join(dataDir, "runnel-pglite.lock"),
      JSON.stringify({ pid, startTime: startTimeOf(pid), bootId }),
    );
    const server = await start({ dataDir });
    await expectFailedStart(server, `is already open in process ${pid}`);
  } finally {
    holder.kill("SIGKILL");
    await once(holder, "exit");
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("a server whose DATABASE_URL refuses connections exits 1 with the reason", async () => {
  const server = await start({
    env: {
      DATABASE_URL: "postgres://runnel@127.0.0.1:1/runnel",
      AUTH_SECRET: "ops-test-auth-secret-0123456789abcdef",
      RUNNEL_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
    },
  });
  await expectFailedStart(server, /ECONNREFUSED|connect/);
});

test("killed with its process group (-9) and started again at once, the embedded server serves", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "runnel-ops-restart-"));
  try {
    const first = await start({ dataDir });
    await waitForStatus(first, "/api/ready");
    first.killGroup();
    await first.exited;

    const second = await start({ dataDir });
    const started = Date.now();
    const ready = await waitForStatus(second, "/api/ready", 200, 60_000);
    expect(await ready.json()).toMatchObject({ status: "ready" });
    expect(second.lines.join("\n")).not.toContain("already open in process");
    const session = await fetch(`${second.baseURL}/api/auth/session`);
    expect(session.status).toBe(200);
    // Without RUNNEL_METRICS_TOKEN there is no metrics endpoint.
    expect((await fetch(`${second.baseURL}/api/metrics`)).status).toBe(404);
    console.log(`restart after kill -9 of the process group: ready in ${Date.now() - started} ms`);
  } finally {
    await Promise.all(servers.splice(0).map((server) => server.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("readiness answers 503 naming what is missing when the Inngest server is unreachable", async () => {
  const server = await start({
    env: { INNGEST_BASE_URL: "http://127.0.0.1:1", INNGEST_DEV: "1" },
  });
  await waitForStatus(server, "/api/health");
  const response = await waitForStatus(server, "/api/ready", 503);
  expect(response.headers.get("x-request-id")).toMatch(UUID);
  const body = (await response.json()) as { status: string; missing: string[]; checks: object };
  expect(body.status).toBe("not ready");
  expect(body.missing).toEqual([
    expect.stringMatching(/^runner: http:\/\/127\.0\.0\.1:1 is not reachable/),
  ]);
  expect(body.checks).toMatchObject({
    database: { ok: true },
    migrations: { ok: true },
    runner: { ok: false },
  });
  expect((await fetch(`${server.baseURL}/api/health`)).status).toBe(200);
});

/** Start → Greet (set) → `last`. */
const flow = (last: { id: string; type: string; config: object }) => ({
  nodes: [
    {
      id: "start",
      type: "manual_trigger",
      version: 1,
      name: "Start",
      config: { inputSchema: { type: "object", properties: { name: { type: "string" } } } },
      position: { x: 0, y: 0 },
    },
    {
      id: "greet",
      type: "set",
      version: 1,
      name: "Greet",
      config: { keep: "none", fields: [{ name: "greeting", value: "hello {{ trigger.name }}" }] },
      position: { x: 200, y: 0 },
    },
    { ...last, version: 1, name: "Last", position: { x: 400, y: 0 } },
  ],
  edges: [
    { id: "e1", source: "start", sourcePort: "out", target: "greet", targetPort: "in" },
    { id: "e2", source: "greet", sourcePort: "out", target: last.id, targetPort: "in" },
  ],
});

test("health, readiness, request ids, JSON logs, metrics and traces of a running server", async () => {
  const receiver = await startOtlpReceiver();
  const token = "ops-metrics-token-0123456789";
  try {
    const server = await start({
      env: { RUNNEL_METRICS_TOKEN: token, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url },
    });
    await waitForStatus(server, "/api/health");
    const base = server.baseURL;

    // Liveness and readiness.
    const health = await fetch(`${base}/api/health`);
    expect(await health.json()).toMatchObject({ status: "ok" });
    const ready = await waitForStatus(server, "/api/ready");
    expect(await ready.json()).toMatchObject({
      status: "ready",
      checks: {
        database: { ok: true },
        migrations: { ok: true, detail: "all applied" },
        runner: { ok: true },
      },
    });

    // x-request-id on every response: a sane incoming id is kept, anything else replaced by a UUID.
    for (const path of [
      "/api/health",
      "/api/trpc/me.get",
      "/api/auth/session",
      "/sign-in",
      "/api/v1/openapi.json",
    ]) {
      const kept = await fetch(`${base}${path}`, { headers: { "x-request-id": "ops-req-42" } });
      expect(kept.headers.get("x-request-id"), path).toBe("ops-req-42");
      const replaced = await fetch(`${base}${path}`, { headers: { "x-request-id": "bad id;<x>" } });
      expect(replaced.headers.get("x-request-id"), path).toMatch(UUID);
      const fresh = await fetch(`${base}${path}`);
      expect(fresh.headers.get("x-request-id"), path).toMatch(UUID);
    }

    // An HTTP server span continues the caller's W3C trace.
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const parentId = "00f067aa0ba902b7";
    await fetch(`${base}/api/health`, {
      headers: { traceparent: `00-${traceId}-${parentId}-01` },
    });

    // Two runs through the API (an account, a session and an API key made over HTTP): one succeeds, one fails.
    const who = person("Opsy");
    const session = await request.newContext({ baseURL: base });
    let key: string;
    try {
      await mutate(session, "auth.signUp", {
        name: who.name,
        email: who.email,
        password: who.password,
      });
      const { csrfToken } = (await (await session.get("/api/auth/csrf")).json()) as {
        csrfToken: string;
      };
      const signedIn = await session.post("/api/auth/callback/credentials", {
        form: { email: who.email, password: who.password, csrfToken, callbackUrl: `${base}/` },
        maxRedirects: 0,
      });
      expect(signedIn.status()).toBe(302);
      ({ key } = await mutate<{ key: string }>(session, "apiKeys.create", { name: "ops" }));
    } finally {
      await session.dispose();
    }
    expect(key).toMatch(/^rk_/);

    const api = await request.newContext({
      baseURL: base,
      extraHTTPHeaders: { authorization: `Bearer ${key}` },
    });
    const runIds: Record<"ok" | "bad", string> = { ok: "", bad: "" };
    try {
      for (const [name, last] of [
        [
          "ok",
          {
            id: "shout",
            type: "set",
            config: { keep: "none", fields: [{ name: "loud", value: "HELLO {{ trigger.name }}" }] },
          },
        ],
        [
          "bad",
          { id: "boom", type: "code", config: { code: 'throw new Error("boom on purpose");' } },
        ],
      ] as const) {
        const created = await mutate<{ id: string }>(api, "flows.create", { name: `Ops ${name}` });
        await mutate(api, "flows.saveDraft", { id: created.id, definition: flow(last) });
        await mutate(api, "flows.publish", { id: created.id, message: "first" });
        const run = await mutate<{ id: string }>(api, "runs.start", {
          flowId: created.id,
          input: { name: "ops" },
        });
        runIds[name] = run.id;
        await expect
          .poll(
            async () => (await query<{ status: string }>(api, "runs.get", { id: run.id })).status,
            {
              timeout: 60_000,
              intervals: [250, 500, 1000],
            },
          )
          .toBe(name === "ok" ? "succeeded" : "failed");
      }
    } finally {
      await api.dispose();
    }

    // JSON logs: the start, and the failed run with its run, org and node ids.
    const logs = server.logs();
    expect(logs.find((line) => String(line.msg).startsWith("Runnel started"))).toMatchObject({
      level: "info",
      mode: "embedded",
      tracing: true,
    });
    expect(logs.find((line) => line.msg === "run failed")).toMatchObject({
      level: "error",
      runId: runIds.bad,
      nodeId: "boom",
      orgId: expect.any(String) as unknown,
    });
    expect(JSON.stringify(logs)).not.toContain(key);

    // Metrics: protected by the bearer token, counting the two runs.
    expect((await fetch(`${base}/api/metrics`)).status).toBe(401);
    const wrong = await fetch(`${base}/api/metrics`, { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    const scraped = await fetch(`${base}/api/metrics`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get("content-type")).toContain("text/plain");
    const text = await scraped.text();
    const sample = (name: string) =>
      Number(
        text
          .split("\n")
          .find((line) => line.startsWith(`${name} `))
          ?.slice(name.length + 1),
      );
    expect(sample("runnel_runs_started_total")).toBe(2);
    expect(sample('runnel_runs_finished_total{status="succeeded"}')).toBe(1);
    expect(sample("runnel_runs_failed_total")).toBe(1);
    expect(sample('runnel_step_duration_seconds_count{status="succeeded"}')).toBeGreaterThanOrEqual(
      4,
    );
    expect(sample('runnel_step_duration_seconds_count{status="failed"}')).toBeGreaterThanOrEqual(1);
    expect(sample('runnel_runs_unfinished{status="queued"}')).toBe(0);
    expect(sample("process_resident_memory_bytes")).toBeGreaterThan(0);

    // Traces: the HTTP span under the caller's parent; a span per run with a child per node.
    await expect
      .poll(
        () =>
          receiver.spans.filter((span) => attributeOf(span, "runnel.run.id") === runIds.bad).length,
        {
          timeout: 30_000,
        },
      )
      .toBeGreaterThanOrEqual(4);
    const inTrace = receiver.spans.filter((span) => span.traceId === traceId);
    const httpSpan = inTrace.find((span) => span.parentSpanId === parentId);
    expect(httpSpan, JSON.stringify(inTrace)).toMatchObject({ kind: 2 });
    expect(
      attributeOf(httpSpan, "http.method") ?? attributeOf(httpSpan, "http.request.method"),
    ).toBe("GET");
    for (const runId of [runIds.ok, runIds.bad]) {
      const runSpan = receiver.spans.find(
        (span) => span.name === "runnel.run" && attributeOf(span, "runnel.run.id") === runId,
      );
      expect(runSpan, `run span of ${runId}`).toBeDefined();
      const nodeSpans = receiver.spans.filter(
        (span) => span.name.startsWith("runnel.node ") && span.parentSpanId === runSpan?.spanId,
      );
      expect(nodeSpans.map((span) => span.name).sort()).toEqual(
        runId === runIds.ok
          ? ["runnel.node greet", "runnel.node shout", "runnel.node start"]
          : ["runnel.node boom", "runnel.node greet", "runnel.node start"],
      );
    }
    const failed = receiver.spans.find(
      (span) =>
        span.name === "runnel.node boom" && attributeOf(span, "runnel.run.id") === runIds.bad,
    );
    expect(failed?.status).toMatchObject({ code: 2 });
  } finally {
    await receiver.close();
  }
});
