import type { WorkerOptions } from "node:worker_threads";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

import type { WorkerReply } from "./protocol";

/**
 * How the worker entry is loaded. Bundled (the Next app), `new Worker(new URL(…))` points at compiled
 * JavaScript. Run from source (vitest, tsx) it points at TypeScript, which Node 20 refuses in a worker
 * (ERR_UNKNOWN_FILE_EXTENSION); the worker then starts from a bootstrap that registers tsx's loader (a dev
 * dependency of the engine) before the entry. The first failure decides for the process. A production build of
 * the Next app copies the entry alone into its assets (not compiled, its imports left behind), so the worker then
 * starts from the workspace's source as well (docs/nodes-http-code-ai.md, Code node).
 */
let fromSource = false;

/** Starts a sandbox worker and resolves once its QuickJS module is loaded. */
export async function startSandboxWorker(options: WorkerOptions): Promise<Worker> {
  if (!fromSource) {
    try {
      return await untilReady(new Worker(new URL("./sandbox-worker.ts", import.meta.url), options));
    } catch {
      fromSource = true;
    }
  }
  const entry = sourceEntry();
  const bootstrap = [
    'const { createRequire } = require("node:module");',
    'const { dirname, join } = require("node:path");',
    'const { pathToFileURL } = require("node:url");',
    `const entry = ${JSON.stringify(entry)};`,
    'const manifest = createRequire(entry).resolve("tsx/package.json");',
    'const api = join(dirname(manifest), require(manifest).exports["./esm/api"].import.default);',
    "import(pathToFileURL(api).href).then((tsx) => { tsx.register(); return import(pathToFileURL(entry).href); });",
  ].join("\n");
  return untilReady(new Worker(bootstrap, { ...options, eval: true }));
}

/** The worker's TypeScript entry beside its modules: here when run from source, else in the workspace. */
function sourceEntry(): string {
  const beside = fileURLToPath(new URL("./sandbox-worker.ts", import.meta.url));
  if (existsSync(join(dirname(beside), "quickjs-run.ts"))) return beside;
  for (let dir = process.cwd(); dirname(dir) !== dir; dir = dirname(dir)) {
    const candidate = join(dir, "packages/engine/src/services/sandbox/sandbox-worker.ts");
    if (existsSync(candidate)) return candidate;
  }
  return beside;
}

function untilReady(worker: Worker): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: WorkerReply) => {
      if (message.type !== "ready") return;
      settle();
      resolve(worker);
    };
    const onError = (error: Error) => {
      settle();
      void worker.terminate();
      reject(error);
    };
    const onExit = (exitCode: number) => {
      settle();
      reject(new Error(`the sandbox worker exited with code ${exitCode} while starting`));
    };
    const settle = () => {
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
    };
    worker.on("message", onMessage);
    worker.once("error", onError);
    worker.once("exit", onExit);
  });
}
