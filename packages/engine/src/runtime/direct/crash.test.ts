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
 * kill -9 at the journal's commit point: a node's work is done and its run-store writes are committed, but its
 * journal row is enqueued and not committed (the test holds a lock on run_journal; the killed process's waiting
 * insert is terminated with it, as when the database connection drops) when the process is killed. The
 * restarted driver replays only that step; the step before it, whose journal row was committed, does not run again
 * (side effects counted at a local HTTP server). Postgres only: the lock is taken from another connection.
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

describe.skipIf(!onServer)("direct driver killed at the journal's commit point [pg]", () => {
  it("replays the step whose journal row was not committed, and no step before it", async () => {
    const database = db;
    const url = database?.url;
    if (!database || !url) throw new Error("no server database");
    const http = (id: string, url: string) => ({
      id,
      type: "http_request",
      version: 1,
      name: id,
      config: { url },
      settings: { retries: 0, timeoutMs: 30_000, onError: "fail" as const },
    });
    const seeded = await seedFlow(
      database.db,
      flowOf(
        [
          http("first", `${server.url}/count/crash-first`),
          http("second", `${server.url}/slow/crash-second?ms=800`),
          http("third", `${server.url}/count/crash-third`),
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
    const args = ["--url", url, "--run-id", run.id, "--org-id", seeded.orgId];
    const first = startProcess(args);
    await until("the second node's request", () => server.hits("/slow/crash-second") === 1);
    expect(server.hits("/count/crash-first")).toBe(1);

    // Hold run_journal while the second node finishes: its run-store writes commit, its journal row cannot.
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    try {
      await locker.query("begin");
      await locker.query("lock table run_journal in exclusive mode");
      await until("the second node's outcome", async () => {
        const [row] = await database.db
          .select({ status: runSteps.status })
          .from(runSteps)
          .where(and(eq(runSteps.runId, run.id), eq(runSteps.nodeId, "second")));
        return row?.status === "succeeded";
      });
      // The journal insert is waiting on the lock now (enqueued, not committed).
      await until("the journal insert to wait on the lock", async () => {
        const { rows } = await locker.query<{ waiting: number }>(
          "select count(*)::int as waiting from pg_locks where relation = 'run_journal'::regclass and not granted",
        );
        return (rows[0]?.waiting ?? 0) > 0;
      });
      await kill(first.proc);
      // The killed process's insert must not commit once the lock goes: its connection is gone too.
      await locker.query(
        "select pg_terminate_backend(pid) from pg_locks where relation = 'run_journal'::regclass and not granted",
      );
    } finally {
      await locker.query("rollback");
      await locker.end();
    }

    const second = startProcess(args);
    await second.exited;
    expect(second.output().stdout).toContain('"status":"succeeded"');
    expect(server.hits("/count/crash-first")).toBe(1);
    expect(server.hits("/slow/crash-second")).toBe(2);
    expect(server.hits("/count/crash-third")).toBe(1);
    const journal = await database.db
      .select({ stepId: runJournal.stepId })
      .from(runJournal)
      .where(eq(runJournal.runId, run.id));
    expect(journal.map((row) => row.stepId)).toEqual([]);
  }, 120_000);
});
