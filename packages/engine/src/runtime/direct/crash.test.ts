import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { TestDb } from "@runnel/db/testing";
import { and, eq } from "@runnel/db";
import { runJournal, runSteps } from "@runnel/db/schema";
import { availableDrivers, createTestDb } from "@runnel/db/testing";

import type { HitServer } from "../../testing";
import { createRun } from "../../runs/store";
import { flowOf, seedFlow, startHitServer } from "../../testing";

/**
 * kill -9 at the direct driver's commit points (docs/executor.md, Direct runs). Postgres only: the locks that hold a
 * commit back are taken from another connection.
 * - A node with effects is recorded by its `run_steps` row, committed inside its step (no journal row): killed while
 *   the next node's request is under way, the restarted driver replays only that next node; the node whose outcome
 *   committed does not run again.
 * - Pure nodes are committed together before a node with effects starts: killed while that group commit waits (the
 *   test holds a lock on run_steps; the killed process's waiting statement is terminated with it, as when the
 *   database connection drops), the restarted driver replays the pure steps and the node with effects runs once.
 * Side effects are counted at a local HTTP server.
 */
const pkgDir = fileURLToPath(new URL("../../..", import.meta.url));
const children = new Set<ChildProcess>();
let server: HitServer;
let db: TestDb | undefined;

function startProcess(args: string[]) {
  const proc = spawn(
    process.execPath,
    ["--import", "tsx", "src/runtime/direct/fixtures/direct-process.ts", ...args],
    { cwd: pkgDir, env: process.env, stdio: ["ignore", "pipe", "pipe"] },
  );
  children.add(proc);
  let stdout = "";
  let stderr = "";
  proc.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  proc.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  void exited.then(() => children.delete(proc));
  return {
    proc,
    exited,
    output: () => ({ stdout, stderr }),
  };
}

function kill(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once("exit", () => resolve());
    proc.kill("SIGKILL");
  });
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const onServer = availableDrivers().includes("pg");

beforeAll(async () => {
  server = await startHitServer();
  if (onServer) db = await createTestDb({ driver: "pg" });
}, 60_000);

afterAll(async () => {
  await Promise.all([...children].map(kill));
  await server.close();
  await db?.close();
});

const http = (id: string, url: string) => ({
  id,
  type: "http_request",
  version: 1,
  name: id,
  config: { url },
  settings: { retries: 0, timeoutMs: 30_000, onError: "fail" as const },
});

function serverDb(): TestDb & { url: string } {
  if (!db?.url) throw new Error("no server database");
  return db as TestDb & { url: string };
}

async function journalOf(runId: string): Promise<string[]> {
  const rows = await serverDb()
    .db.select({ stepId: runJournal.stepId })
    .from(runJournal)
    .where(eq(runJournal.runId, runId));
  return rows.map((row) => row.stepId).sort();
}

/** Holds `table` in exclusive mode while `work` runs; then terminates the statements that waited on it. */
async function withTableLocked(table: string, work: (locker: pg.Client) => Promise<void>) {
  const locker = new pg.Client({ connectionString: serverDb().url });
  await locker.connect();
  try {
    await locker.query("begin");
    await locker.query(`lock table ${table} in exclusive mode`);
    await work(locker);
    // The killed process's statement must not commit once the lock goes: its connection is gone too.
    await locker.query(
      `select pg_terminate_backend(pid) from pg_locks where relation = '${table}'::regclass and not granted`,
    );
  } finally {
    await locker.query("rollback");
    await locker.end();
  }
}

async function waitersOn(locker: pg.Client, table: string): Promise<number> {
  const { rows } = await locker.query<{ waiting: number }>(
    `select count(*)::int as waiting from pg_locks where relation = '${table}'::regclass and not granted`,
  );
  return rows[0]?.waiting ?? 0;
}

describe.skipIf(!onServer)("direct driver killed at its commit points [pg]", () => {
  it("replays the node whose outcome was not committed, and no node whose outcome was", async () => {
    const database = serverDb();
    const seeded = await seedFlow(
      database.db,
      flowOf(
        [
          http("first", `${server.url}/count/crash-first`),
          http("second", `${server.url}/slow/crash-second?ms=300`),
          http("third", `${server.url}/slow/crash-third?ms=5000`),
        ],
        [
          ["start", "first"],
          ["first", "second"],
          ["second", "third"],
        ],
      ),
    );
    const { run } = await createRun(database.db, seeded.orgId, {
      flowVersionId: seeded.flowVersionId,
      triggerKind: "manual",
      input: {},
    });
    const args = ["--url", database.url, "--run-id", run.id, "--org-id", seeded.orgId];
    const first = startProcess(args);
    // The third node's request is under way: the second's outcome committed before it started.
    await until("the third node's request", () => server.hits("/slow/crash-third") === 1);
    const [second] = await database.db
      .select({ status: runSteps.status })
      .from(runSteps)
      .where(and(eq(runSteps.runId, run.id), eq(runSteps.nodeId, "second")));
    expect(second?.status).toBe("succeeded");
    // The run store holds the nodes' outcomes; the journal nothing (`load`'s row is only written when a run halts).
    expect(await journalOf(run.id)).toEqual([]);
    await kill(first.proc);

    const restarted = startProcess(args);
    await restarted.exited;
    expect(restarted.output().stdout).toContain('"status":"succeeded"');
    expect(server.hits("/count/crash-first")).toBe(1);
    expect(server.hits("/slow/crash-second")).toBe(1);
    expect(server.hits("/slow/crash-third")).toBe(2);
    expect(await journalOf(run.id)).toEqual([]);
  }, 120_000);

  it("replays the pure steps of a group killed before its commit; the node with effects runs once", async () => {
    const database = serverDb();
    const seeded = await seedFlow(
      database.db,
      flowOf(
        [
          {
            id: "shape",
            type: "set",
            version: 1,
            name: "Shape",
            config: { keep: "none", fields: [{ name: "hello", value: "world" }] },
          },
          http("call", `${server.url}/count/crash-group-call`),
        ],
        [
          ["start", "shape"],
          ["shape", "call"],
        ],
      ),
    );
    const { run } = await createRun(database.db, seeded.orgId, {
      flowVersionId: seeded.flowVersionId,
      triggerKind: "manual",
      input: {},
    });
    const args = ["--url", database.url, "--run-id", run.id, "--org-id", seeded.orgId];
    await withTableLocked("run_steps", async (locker) => {
      const first = startProcess(args);
      // The trigger's and Set's outcomes are being committed together, before the HTTP node may start.
      await until(
        "the group commit to wait on the lock",
        async () => (await waitersOn(locker, "run_steps")) > 0,
      );
      expect(server.hits("/count/crash-group-call")).toBe(0);
      await kill(first.proc);
    });
    const steps = await database.db
      .select({ nodeId: runSteps.nodeId })
      .from(runSteps)
      .where(eq(runSteps.runId, run.id));
    expect(steps).toEqual([]);

    const restarted = startProcess(args);
    await restarted.exited;
    expect(restarted.output().stdout).toContain('"status":"succeeded"');
    expect(server.hits("/count/crash-group-call")).toBe(1);
    const recorded = await database.db
      .select({ nodeId: runSteps.nodeId, status: runSteps.status, output: runSteps.output })
      .from(runSteps)
      .where(eq(runSteps.runId, run.id));
    expect(Object.fromEntries(recorded.map((row) => [row.nodeId, row.status]))).toEqual({
      start: "succeeded",
      shape: "succeeded",
      call: "succeeded",
    });
    expect(recorded.find((row) => row.nodeId === "shape")?.output).toEqual({ hello: "world" });
    expect(await journalOf(run.id)).toEqual([]);
  }, 120_000);
});
