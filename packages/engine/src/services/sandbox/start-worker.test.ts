/**
 * The compiled worker entry (what the Next app's build runs): built by the engine's build script into one file, it
 * starts with no TypeScript loader and no file beside it, runs code, and still stops a memory bomb at its cap.
 */
import type { Worker } from "node:worker_threads";
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { RunOutcome, WorkerJob, WorkerReply } from "./protocol";
import { startCompiledWorker } from "./start-worker";

const MB = 1024 * 1024;
const script = fileURLToPath(new URL("../../../scripts/build-sandbox-worker.ts", import.meta.url));
const built = fileURLToPath(new URL("../../../dist/sandbox-worker.mjs", import.meta.url));
/** A directory holding only the compiled file, as the app's build assets do. */
const alone = mkdtempSync(join(tmpdir(), "runnel-worker-"));
let worker: Worker;

beforeAll(async () => {
  await promisify(execFile)(process.execPath, ["--import", "tsx", script]);
  copyFileSync(built, join(alone, "sandbox-worker.mjs"));
  worker = await startCompiledWorker(pathToFileURL(join(alone, "sandbox-worker.mjs")), {
    resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 },
    workerData: { warmCapBytes: 48 * MB, recycleAboveBytes: 96 * MB },
  });
}, 60_000);
afterAll(async () => {
  await worker.terminate();
  rmSync(alone, { recursive: true, force: true });
});

let nextId = 1;
function run(code: string, memoryBytes = 16 * MB): Promise<RunOutcome> {
  const job: WorkerJob = {
    id: nextId++,
    code,
    inputJson: JSON.stringify({ n: 20 }),
    timeoutMs: 5_000,
    deadline: Date.now() + 5_000,
    memoryBytes,
    wasmCapBytes: memoryBytes * 2 + 32 * MB,
    limits: {
      maxTimeoutMs: 5_000,
      maxMemoryBytes: 64 * MB,
      maxOutputBytes: 64 * 1024,
      maxLogLines: 10,
      maxLogLineChars: 200,
      maxStackBytes: 256 * 1024,
    },
  };
  return new Promise((resolve) => {
    const onMessage = (reply: WorkerReply) => {
      if (reply.type !== "done" || reply.id !== job.id) return;
      worker.off("message", onMessage);
      resolve(reply.outcome);
    };
    worker.on("message", onMessage);
    worker.postMessage(job);
  });
}

describe("the compiled sandbox worker", () => {
  it("runs code with no TypeScript loader and nothing beside it", async () => {
    const outcome = await run("console.log('hi'); return { sum: input.n + 22 };");
    expect(outcome).toMatchObject({ ok: true, resultJson: '{"sum":42}' });
    expect(outcome.logs).toEqual([expect.objectContaining({ message: "hi" })]);
  });

  it("stops a memory bomb at its memory limit", async () => {
    const outcome = await run(
      "const a = []; for (;;) a.push({ i: a.length, s: 'item ' + a.length });",
    );
    expect(outcome).toMatchObject({ ok: false, code: "SANDBOX_MEMORY" });
    // The worker is still usable.
    await expect(run("return 1;")).resolves.toMatchObject({ ok: true, resultJson: "1" });
  });

  it("a missing compiled entry fails with how to build it", async () => {
    await expect(
      startCompiledWorker(pathToFileURL(join(alone, "missing.mjs")), {}),
    ).rejects.toThrow("pnpm --filter @runnel/engine build");
  });
});
