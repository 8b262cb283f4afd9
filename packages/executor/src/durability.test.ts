import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { testDatabase, until } from "../test/harness";

/**
 * kill -9 recovery: the standalone executor (src/cli.ts) and an Inngest app run as child processes; the
 * executor is SIGKILLed while one run is inside a step, one sleeps and one waits for an event, then
 * restarted on the same database. Every run must finish; completed steps must not run again.
 */
const pkgDir = fileURLToPath(new URL("..", import.meta.url));
const children = new Set<ChildProcess>();
let work: string;
let logFile: string;
let database: { args: string[]; drop(): Promise<void> };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts a TypeScript entry point in one node process (node --import tsx), so SIGKILL hits the real process. */
function start(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ proc: ChildProcess; line: Record<string, unknown> }> {
  const proc = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: pkgDir,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(proc);
  proc.once("exit", () => children.delete(proc));
  let stderr = "";
  proc.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    let buffer = "";
    proc.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      for (const raw of buffer.split("\n").slice(0, -1)) {
        try {
          const line = JSON.parse(raw) as Record<string, unknown>;
          if (line.url) resolve({ proc, line });
        } catch {
          // not a JSON line
        }
      }
      buffer = buffer.slice(buffer.lastIndexOf("\n") + 1);
    });
    proc.once("exit", (code) => reject(new Error(`${script} exited with ${code}: ${stderr}`)));
  });
}

async function startExecutorProcess(port: number, extra: string[] = []) {
  return start(
    "src/cli.ts",
    [
      "--port",
      String(port),
      "--lease-ms",
      "1500",
      "--retry-scale",
      "0.001",
      "--poll-ms",
      "50",
      ...database.args,
      ...extra,
    ],
    {},
  );
}

function kill(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once("exit", () => resolve());
    proc.kill("SIGKILL");
  });
}

const count = (line: string) =>
  readFileSync(logFile, "utf8")
    .split("\n")
    .filter((l) => l === line).length;

async function send(url: string, events: unknown[]): Promise<void> {
  const res = await fetch(`${url}/e/test-key`, { method: "POST", body: JSON.stringify(events) });
  expect(res.status).toBe(200);
}

interface RunView {
  id: string;
  status: string;
  output: unknown;
  pending: { kind: string }[];
  waitingFor: unknown[];
}

async function runs(url: string, functionId: string): Promise<RunView[]> {
  const list = (await (await fetch(`${url}/v1/runs?function_id=${functionId}`)).json()) as {
    runs: { id: string }[];
  };
  return Promise.all(
    list.runs.map(async (r) => (await (await fetch(`${url}/v1/runs/${r.id}`)).json()) as RunView),
  );
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "runnel-executor-durable-"));
  logFile = join(work, "executions.log");
  writeFileSync(logFile, "");
  if (process.env.TEST_DATABASE_URL) {
    const db = await testDatabase();
    await db.handle.close();
    database = {
      args: ["--database-url", db.url ?? ""],
      drop: () => db.drop().catch(() => undefined),
    };
  } else {
    database = { args: ["--data-dir", join(work, "pgdata")], drop: () => Promise.resolve() };
  }
});

afterAll(async () => {
  for (const child of children) await kill(child);
  await database.drop();
  rmSync(work, { recursive: true, force: true });
});

describe("kill -9 recovery of the standalone executor", () => {
  it("resumes runs interrupted mid-step, mid-sleep and mid-wait; completed steps never run again", async () => {
    const port = await freePort();
    const executorUrl = `http://127.0.0.1:${port}`;
    const app = await start("test/durable-app.ts", [], {
      PORT: "0",
      EXECUTOR_URL: executorUrl,
      LOG_FILE: logFile,
    });
    const appUrl = String(app.line.url);

    let executor = await startExecutorProcess(port, ["--sdk-url", appUrl]);
    await until("registration", async () => {
      const res = await fetch(`${executorUrl}/v1/apps`);
      const body = (await res.json()) as { functions: unknown[] };
      return body.functions.length === 4 ? true : undefined;
    });

    await send(executorUrl, [
      { name: "durable/step", data: { tag: "step" } },
      { name: "durable/sleep", data: { tag: "sleep" } },
      { name: "durable/wait", data: { tag: "wait" } },
    ]);
    await until("the slow step to start", () =>
      count("step:slow-start") === 1 ? true : undefined,
    );
    await until("the sleep and the wait", async () => {
      const [sleeping] = await runs(executorUrl, "durable-mid-sleep");
      const [waiting] = await runs(executorUrl, "durable-mid-wait");
      return sleeping?.pending.some((p) => p.kind === "sleep") && waiting?.waitingFor.length
        ? true
        : undefined;
    });

    await kill(executor.proc);
    executor = await startExecutorProcess(port);
    await send(executorUrl, [
      { name: "durable/resume", data: { tag: "wait", note: "resumed after restart" } },
    ]);
    // The interrupted step is executed again once its lease expires; then let both executions finish.
    await until(
      "the interrupted step to be retried",
      () => (count("step:slow-start") === 2 ? true : undefined),
      60_000,
    );
    writeFileSync(`${logFile}.release`, "");

    const done = await until(
      "all three runs to finish",
      async () => {
        const all = [
          ...(await runs(executorUrl, "durable-mid-step")),
          ...(await runs(executorUrl, "durable-mid-sleep")),
          ...(await runs(executorUrl, "durable-mid-wait")),
        ];
        return all.length === 3 && all.every((r) => r.status !== "running") ? all : undefined;
      },
      60_000,
    );
    expect(done.map((r) => r.status)).toEqual(["completed", "completed", "completed"]);
    expect(done.map((r) => r.output)).toEqual(["done", "slept", "resumed after restart"]);

    expect(count("step:a")).toBe(1);
    // The step in flight when the executor died is retried once its lease expires.
    expect(count("step:slow-start")).toBe(2);
    expect(count("step:slow-end")).toBe(2);
    expect(count("step:c")).toBe(1);
    expect(count("sleep:before")).toBe(1);
    expect(count("sleep:after")).toBe(1);
    expect(count("wait:before")).toBe(1);
    expect(count("wait:after")).toBe(1);

    await kill(executor.proc);
    await kill(app.proc);
  }, 150_000);
});
