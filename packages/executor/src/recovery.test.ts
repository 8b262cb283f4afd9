import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";

import { testDatabase, until } from "../test/harness";
import { countLines, freePort, kill, killAll, runs, send, start } from "../test/processes";

/**
 * Recovery in seconds (docs/executor.md, "Durability"): the standalone executor is SIGKILLed while a step is
 * in flight and started again at once; the step must be running again within 2 s of the new process being
 * ready. An exclusive executor (PGlite data folder, or --exclusive) releases its dead predecessor's leases on
 * start; on a shared Postgres server, a worker restarted under its own id releases its own leases, and another
 * live worker takes over an expired lease (5 s, renewed every ~1.7 s).
 */
const RESUME_LIMIT_MS = 2000;
const serverUrl = process.env.TEST_DATABASE_URL;

let work: string;
let logFile: string;
let drop: () => Promise<void>;
let databaseArgs: string[];

const count = (line: string) => countLines(logFile, line);

function executor(port: number, extra: string[]) {
  return start(
    "src/cli.ts",
    [
      "--port",
      String(port),
      "--retry-scale",
      "0.001",
      "--poll-ms",
      "50",
      ...databaseArgs,
      ...extra,
    ],
    {},
  );
}

/** Milliseconds from `since` until the app has logged `line` `times` times. */
async function timeUntil(line: string, times: number, since: number): Promise<number> {
  await until(`${line} × ${times}`, () => (count(line) >= times ? true : undefined), 60_000);
  return Date.now() - since;
}

async function finished(url: string): Promise<unknown> {
  const [run] = await until(
    "the run to finish",
    async () => {
      const list = await runs(url, "durable-mid-step");
      return list[0] && list[0].status !== "running" ? list : undefined;
    },
    60_000,
  );
  return run?.output;
}

beforeEach(async () => {
  work = mkdtempSync(join(tmpdir(), "runnel-executor-recovery-"));
  logFile = join(work, "executions.log");
  writeFileSync(logFile, "");
  if (serverUrl) {
    const db = await testDatabase();
    await db.handle.close();
    databaseArgs = ["--database-url", db.url ?? ""];
    drop = () => db.drop().catch(() => undefined);
  } else {
    databaseArgs = ["--data-dir", join(work, "pgdata")];
    drop = () => Promise.resolve();
  }
});

afterEach(async () => {
  await killAll();
  await drop();
  rmSync(work, { recursive: true, force: true });
});

afterAll(killAll);

describe("recovery after kill -9", () => {
  it("an exclusive executor resumes its dead predecessor's step at once, not when the lease expires", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const app = await start("test/durable-app.ts", [], {
      PORT: "0",
      EXECUTOR_URL: url,
      LOG_FILE: logFile,
    });
    // A 30 s lease: resuming within 2 s proves the leases were reclaimed, not waited out. PGlite is exclusive
    // by itself (the data-folder lock); a Postgres database is declared exclusive with --exclusive.
    const args = ["--lease-ms", "30000", ...(serverUrl ? ["--exclusive"] : [])];
    let proc = (await executor(port, [...args, "--sdk-url", String(app.line.url)])).proc;
    await until("registration", async () => {
      const res = await fetch(`${url}/v1/apps`);
      return ((await res.json()) as { functions: unknown[] }).functions.length === 4 || undefined;
    });
    await send(url, [{ name: "durable/step", data: { tag: "x" } }]);
    await until("the slow step to start", () => count("x:slow-start") === 1 || undefined);

    await kill(proc);
    const restarted = Date.now();
    proc = (await executor(port, args)).proc;
    const ready = Date.now();
    const resumed = await timeUntil("x:slow-start", 2, ready);
    console.log(
      `exclusive executor (${serverUrl ? "postgres" : "pglite"}): step running again ${resumed} ms after the restarted process was ready (${ready - restarted} ms to start it)`,
    );
    expect(resumed).toBeLessThanOrEqual(RESUME_LIMIT_MS);

    writeFileSync(`${logFile}.release`, "");
    expect(await finished(url)).toBe("done");
    expect(count("x:a")).toBe(1);
    expect(count("x:c")).toBe(1);
    await kill(proc);
    await kill(app.proc);
  }, 150_000);

  it.skipIf(!serverUrl)(
    "on a shared Postgres server another worker takes over an expired 5 s lease, and a worker restarted under its own id resumes at once",
    async () => {
      const [portA, portB] = [await freePort(), await freePort()];
      const urlA = `http://127.0.0.1:${portA}`;
      const app = await start("test/durable-app.ts", [], {
        PORT: "0",
        EXECUTOR_URL: urlA,
        LOG_FILE: logFile,
      });
      let a = (await executor(portA, ["--worker-id", "a", "--sdk-url", String(app.line.url)])).proc;
      await until("registration", async () => {
        const res = await fetch(`${urlA}/v1/apps`);
        return ((await res.json()) as { functions: unknown[] }).functions.length === 4 || undefined;
      });
      await send(urlA, [{ name: "durable/step", data: { tag: "y" } }]);
      await until("the slow step to start", () => count("y:slow-start") === 1 || undefined);
      // b leases for 30 s: its restart below resuming within 2 s proves it released its own lease.
      const bArgs = ["--worker-id", "b", "--lease-ms", "30000"];
      let b = (await executor(portB, bArgs)).proc;

      // Worker a dies; worker b takes the step over once a's lease (5 s, renewed every ~1.7 s) expired.
      await kill(a);
      const takeover = await timeUntil("y:slow-start", 2, Date.now());
      console.log(`postgres: worker b took the step over ${takeover} ms after worker a was killed`);
      expect(takeover).toBeLessThanOrEqual(5000 + RESUME_LIMIT_MS);

      // b dies and is restarted at once under its own id, with no other worker running.
      await kill(b);
      const killed = Date.now();
      b = (await executor(portB, bArgs)).proc;
      const ready = Date.now();
      const resumed = await timeUntil("y:slow-start", 3, ready);
      console.log(
        `postgres: worker b restarted under its own id resumed the step ${resumed} ms after it was ready (${ready - killed} ms to start it)`,
      );
      expect(resumed).toBeLessThanOrEqual(RESUME_LIMIT_MS);
      expect(ready + resumed - killed).toBeLessThan(30_000);

      // a comes back: the app reports its checkpoints to it.
      a = (await executor(portA, ["--worker-id", "a"])).proc;
      writeFileSync(`${logFile}.release`, "");
      expect(await finished(urlA)).toBe("done");
      expect(count("y:a")).toBe(1);
      expect(count("y:c")).toBe(1);
      await kill(a);
      await kill(b);
      await kill(app.proc);
    },
    150_000,
  );
});
