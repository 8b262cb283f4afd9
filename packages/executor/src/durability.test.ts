import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { testDatabase, until } from "../test/harness";
import { countLines, freePort, kill, killAll, runs, send, start } from "../test/processes";

/**
 * kill -9 recovery: the standalone executor (src/cli.ts) and an Inngest app run as child processes; the
 * executor is SIGKILLed while one run is inside a step, one sleeps and one waits for an event, then
 * restarted on the same database. Every run must finish; completed steps must not run again.
 */
let work: string;
let logFile: string;
let database: { args: string[]; drop(): Promise<void> };

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

const count = (line: string) => countLines(logFile, line);

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
  await killAll();
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
    // The interrupted step is executed again (its lease reclaimed, or expired); then let both executions finish.
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
