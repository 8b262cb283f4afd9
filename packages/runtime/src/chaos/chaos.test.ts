import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

import type { TestDb } from "@runnel/db/testing";
import type { HitServer } from "@runnel/engine/testing";
import { eq, inArray, sql } from "@runnel/db";
import { runEvents, runs, runSteps } from "@runnel/db/schema";
import { availableDrivers, createTestDb } from "@runnel/db/testing";
import { flowOf, seedFlow, startHitServer } from "@runnel/engine/testing";

/**
 * The chaos suite (docs/runtime.md, "Chaos"): 200 runs of a mixed flow are started through a server process while
 * that process is killed with -9 at random moments three times (and restarted at once), and — on a Postgres server —
 * every database connection is dropped twice. Then: every accepted start made exactly one run, every run finished
 * exactly once, nothing is stuck, and no side effect of a completed step ran again. Bounded and loopback-only.
 */
const RUNS = 200;
const SUBMITTERS = 4;
const KILLS = 3;
const pkgDir = fileURLToPath(new URL("../..", import.meta.url));
const driver = availableDrivers().includes("pg") ? "pg" : "pglite";
if (driver !== "pg")
  console.warn(
    "chaos suite SKIPPED: it needs a Postgres server (TEST_DATABASE_URL) — it drops the database connections, " +
      "which an embedded PGlite folder does not have. .ci/run runs it against the server.",
  );
const children = new Set<ChildProcess>();
const cleanups: (() => Promise<void> | void)[] = [];

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  for (const cleanup of cleanups.reverse()) await cleanup();
});

interface Server {
  proc: ChildProcess;
  port: number;
  /** ms from the fixture module's start to each phase of its start. */
  timings: Record<string, number>;
}

function startServer(args: string[]): Promise<Server> {
  const proc = spawn(
    process.execPath,
    ["--import", "tsx", "src/chaos/fixtures/chaos-process.ts", ...args],
    { cwd: pkgDir, env: process.env, stdio: ["ignore", "pipe", "pipe"] },
  );
  children.add(proc);
  proc.once("exit", () => children.delete(proc));
  let stderr = "";
  proc.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    let buffer = "";
    proc.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) {
        if (!line.startsWith("{")) continue;
        const parsed = JSON.parse(line) as {
          ready?: { port: number; timings: Record<string, number> };
        };
        if (parsed.ready) resolve({ proc, ...parsed.ready });
      }
    });
    proc.once("exit", (code, signal) =>
      reject(new Error(`chaos server exited (${code ?? signal}) before ready: ${stderr}`)),
    );
  });
}

function kill(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once("exit", () => resolve());
    proc.kill("SIGKILL");
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Three side effects per run: a, then b or c by branch, then d after the merge. */
function mixedFlow(hits: string) {
  const call = (id: string, path: string) => ({
    id,
    type: "http_request",
    version: 1,
    name: id,
    config: { url: `${hits}${path}` },
    settings: { retries: 3, timeoutMs: 30_000, onError: "fail" as const },
  });
  return flowOf(
    [
      {
        id: "prep",
        type: "set",
        version: 1,
        name: "prep",
        config: { fields: [{ name: "even", value: "{{ trigger.n % 2 == 0 }}" }] },
      },
      call("call_a", "/count/{{ run.id }}/a"),
      {
        id: "branch",
        type: "if",
        version: 1,
        name: "branch",
        config: { condition: "{{ nodes.prep.even }}" },
      },
      {
        id: "pause",
        type: "wait",
        version: 1,
        name: "pause",
        config: { mode: "duration", duration: { amount: 1, unit: "seconds" } },
      },
      call("call_b", "/count/{{ run.id }}/b"),
      {
        id: "compute",
        type: "code",
        version: 1,
        name: "compute",
        config: { code: "return { bytes: JSON.stringify(input).length };" },
      },
      call("call_c", "/slow/{{ run.id }}/c?ms=150"),
      { id: "join", type: "merge", version: 1, name: "join", config: {} },
      call("call_d", "/count/{{ run.id }}/d"),
    ],
    [
      ["start", "prep"],
      ["prep", "call_a"],
      ["call_a", "branch"],
      ["branch", "pause", "true"],
      ["pause", "call_b"],
      ["branch", "compute", "false"],
      ["compute", "call_c"],
      ["call_b", "join"],
      ["call_c", "join"],
      ["join", "call_d"],
    ],
  );
}

interface Disruption {
  kind: "kill -9" | "drop connections";
  at: number;
  /** For a kill: ms from the kill until the new process served again. */
  recoveryMs?: number;
  /** For a kill: the new process's start phases (ms from its module's start). */
  timings?: Record<string, number>;
}

describe.skipIf(driver !== "pg")(
  `chaos: kill -9 and dropped connections during 200 runs [pg]`,
  () => {
    it("finishes every run exactly once, repeats no completed side effect, leaves nothing stuck", async () => {
      const hits: HitServer = await startHitServer();
      cleanups.push(() => hits.close());
      const serverDb: TestDb = await createTestDb({ driver: "pg" });
      cleanups.push(() => serverDb.close());
      const seeded = await seedFlow(serverDb.db, mixedFlow(hits.url));
      const args = [
        "--url",
        serverDb.url ?? "",
        "--org-id",
        seeded.orgId,
        "--version-id",
        seeded.flowVersionId,
      ];

      let current = await startServer(args);
      const began = Date.now();
      const disruptions: Disruption[] = [];
      const accepted = new Map<string, string>();
      let resent = 0;

      async function submit(index: number) {
        const key = `chaos-${index}`;
        let lastFailure = "";
        const deadline = Date.now() + 120_000;
        while (Date.now() < deadline) {
          try {
            const response = await fetch(`http://127.0.0.1:${current.port}/start`, {
              method: "POST",
              body: JSON.stringify({ key, n: index }),
              signal: AbortSignal.timeout(30_000),
            });
            if (response.status === 200 || response.status === 201) {
              accepted.set(key, ((await response.json()) as { runId: string }).runId);
              return;
            }
            lastFailure = `${response.status} ${await response.text()}`;
          } catch (error) {
            // The server died under the request: send the same start again, as a REST caller would.
            lastFailure = String(error);
          }
          resent++;
          await sleep(100);
        }
        throw new Error(`start ${key} was never accepted: ${lastFailure}`);
      }

      let nextIndex = 0;
      const submitting = Promise.all(
        Array.from({ length: SUBMITTERS }, async () => {
          while (nextIndex < RUNS) {
            const index = nextIndex++;
            await submit(index);
            await sleep(40);
          }
        }),
      );

      // Disruptions at random moments, spaced so each restarted process gets work in between.
      const plan: Disruption["kind"][] = [
        ...Array.from({ length: KILLS }, () => "kill -9" as const),
        "drop connections" as const,
        "drop connections" as const,
      ].sort(() => Math.random() - 0.5);
      for (const kind of plan) {
        await sleep(2_000 + Math.random() * 2_500);
        const at = Date.now() - began;
        if (kind === "kill -9") {
          await kill(current.proc);
          const killedAt = Date.now();
          current = await startServer(args);
          disruptions.push({
            kind,
            at,
            recoveryMs: Date.now() - killedAt,
            timings: current.timings,
          });
        } else {
          await serverDb.db.execute(
            sql`select pg_terminate_backend(pid) from pg_stat_activity
              where datname = current_database() and pid <> pg_backend_pid()`,
          );
          disruptions.push({ kind, at });
        }
      }
      await submitting;
      const allAcceptedAt = Date.now() - began;

      // Every run reaches a terminal status while the last process keeps serving.
      const runIds = [...accepted.values()];
      const deadline = Date.now() + 240_000;
      const notTerminal = async () =>
        (
          await db
            .select({ id: runs.id, status: runs.status })
            .from(runs)
            .where(inArray(runs.id, runIds))
        )
          .filter((row) => !["succeeded", "failed", "cancelled"].includes(row.status))
          .map((row) => row.id);
      const db = serverDb.db;
      while ((await notTerminal()).length > 0 && Date.now() < deadline) await sleep(250);
      await kill(current.proc);
      const stuck = await notTerminal();
      const allEndedAt = Date.now() - began;

      const allRuns = await db
        .select({
          id: runs.id,
          status: runs.status,
          key: runs.idempotencyKey,
          finishedAt: runs.finishedAt,
          error: runs.error,
        })
        .from(runs)
        .where(eq(runs.orgId, seeded.orgId));
      const chaosRuns = allRuns.filter((run) => run.key?.startsWith("chaos-"));
      const endings = await db
        .select({ runId: runEvents.runId, type: runEvents.type })
        .from(runEvents)
        .where(inArray(runEvents.type, ["run.succeeded", "run.failed", "run.cancelled"]));
      const endingsPerRun = new Map<string, number>();
      for (const ending of endings)
        endingsPerRun.set(ending.runId, (endingsPerRun.get(ending.runId) ?? 0) + 1);
      const succeededSteps = await db
        .select({ runId: runSteps.runId, nodeId: runSteps.nodeId })
        .from(runSteps)
        .where(eq(runSteps.status, "succeeded"));
      const stepsPerNode = new Map<string, number>();
      for (const step of succeededSteps) {
        const key = `${step.runId}/${step.nodeId}`;
        stepsPerNode.set(key, (stepsPerNode.get(key) ?? 0) + 1);
      }

      // A side effect of a completed step ran again if it was repeated after a step depending on it had begun its own
      // side effect (by the durability rule its output was committed by then), or after the run finished.
      const firstStart = (path: string) => hits.spans(path).map(([start]) => start)[0] ?? Infinity;
      const starts = (path: string) => hits.spans(path).map(([start]) => start);
      let calls = 0;
      let repeatedInFlight = 0;
      const repeatedAfterCommit: string[] = [];
      for (const run of chaosRuns) {
        const path = (node: string) => `/${node === "c" ? "slow" : "count"}/${run.id}/${node}`;
        const downstream: Record<string, number> = {
          a: Math.min(firstStart(path("b")), firstStart(path("c"))),
          b: firstStart(path("d")),
          c: firstStart(path("d")),
          d: run.finishedAt?.getTime() ?? Infinity,
        };
        for (const [node, limit] of Object.entries(downstream)) {
          const seen = starts(path(node));
          calls += seen.length;
          repeatedInFlight += Math.max(seen.length - 1, 0);
          if (seen.slice(1).some((start) => start > limit)) repeatedAfterCommit.push(path(node));
        }
      }
      const finishedTwice = chaosRuns.filter((run) => (endingsPerRun.get(run.id) ?? 0) !== 1);
      const stepsTwice = [...stepsPerNode.entries()].filter(([key, count]) => {
        const [runId] = key.split("/");
        return count > 1 && chaosRuns.some((run) => run.id === runId);
      });
      const keys = new Set(chaosRuns.map((run) => run.key));

      const table: [string, string][] = [
        ["starts accepted", `${accepted.size} of ${RUNS} (${resent} re-sent after a failure)`],
        ["runs created", String(chaosRuns.length)],
        ["succeeded", String(chaosRuns.filter((run) => run.status === "succeeded").length)],
        ["failed", String(chaosRuns.filter((run) => run.status === "failed").length)],
        ["stuck (not terminal)", String(stuck.length)],
        ["runs not finished exactly once", String(finishedTwice.length)],
        ["steps recorded succeeded twice", String(stepsTwice.length)],
        ["side-effect calls", String(calls)],
        ["calls repeated while in flight at a disruption", String(repeatedInFlight)],
        ["calls repeated after their step had committed", String(repeatedAfterCommit.length)],
        ...disruptions.map((d, index): [string, string] => [
          `disruption ${index + 1}`,
          `${d.kind} at ${(d.at / 1000).toFixed(1)} s${
            d.recoveryMs === undefined
              ? ""
              : `, serving again after ${d.recoveryMs} ms (${Object.entries(d.timings ?? {})
                  .map(([phase, ms]) => `${phase} ${ms}`)
                  .join(", ")})`
          }`,
        ]),
        ["every start accepted after", `${(allAcceptedAt / 1000).toFixed(1)} s`],
        ["every run ended after", `${(allEndedAt / 1000).toFixed(1)} s`],
      ];
      const width = Math.max(...table.map(([name]) => name.length));
      console.log(
        `\nchaos [pg]\n${table.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`).join("\n")}\n`,
      );

      expect(accepted.size).toBe(RUNS);
      expect(keys.size).toBe(RUNS);
      expect(chaosRuns).toHaveLength(RUNS);
      expect(stuck).toEqual([]);
      expect(
        chaosRuns.filter((run) => run.status !== "succeeded").map((run) => [run.id, run.error]),
      ).toEqual([]);
      expect(finishedTwice).toEqual([]);
      expect(stepsTwice).toEqual([]);
      expect(repeatedAfterCommit).toEqual([]);
      expect(disruptions.filter((d) => d.kind === "kill -9")).toHaveLength(KILLS);
    }, 600_000);
  },
);
