import type { WorkerOptions } from "node:worker_threads";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

import type { WorkerReply } from "./protocol";

/**
 * How the worker entry is loaded (docs/nodes-http-code-ai.md, "Loading the worker"). Run from source (vitest, tsx,
 * the standalone executor) the TypeScript entry sits beside its modules; Node 20 refuses TypeScript in a worker, so
 * the worker starts from a bootstrap that registers tsx's loader (a dev dependency of the engine) first. Otherwise
 * (the Next app's build) the worker is the compiled, self-contained `dist/sandbox-worker.mjs` that the engine's build
 * makes (`scripts/build-sandbox-worker.ts`, run by the app's build); the bundler copies it into the build's assets,
 * so production needs neither tsx nor the workspace's sources.
 */
const SOURCE_ENTRY = new URL("./sandbox-worker.ts", import.meta.url);
const COMPILED_ENTRY = new URL("../../../dist/sandbox-worker.mjs", import.meta.url);

/** Starts a sandbox worker and resolves once its QuickJS module is loaded. */
export function startSandboxWorker(options: WorkerOptions): Promise<Worker> {
  const source = fileURLToPath(SOURCE_ENTRY);
  if (existsSync(join(dirname(source), "quickjs-run.ts"))) {
    return untilReady(new Worker(tsxBootstrap(source), { ...options, eval: true }));
  }
  return startCompiledWorker(COMPILED_ENTRY, options);
}

/** Starts the compiled worker entry; a missing file says how to make it. */
export function startCompiledWorker(entry: URL, options: WorkerOptions): Promise<Worker> {
  if (!existsSync(fileURLToPath(entry))) {
    return Promise.reject(
      new Error(
        `the Code sandbox worker ${fileURLToPath(entry)} is missing: build it with \`pnpm --filter @runnel/engine build\` (the web app's build does)`,
      ),
    );
  }
  return untilReady(new Worker(entry, options));
}

/** A worker script that registers tsx's loader, then imports the TypeScript entry. */
function tsxBootstrap(entry: string): string {
  return [
    'const { createRequire } = require("node:module");',
    'const { dirname, join } = require("node:path");',
    'const { pathToFileURL } = require("node:url");',
    `const entry = ${JSON.stringify(entry)};`,
    'const manifest = createRequire(entry).resolve("tsx/package.json");',
    'const api = join(dirname(manifest), require(manifest).exports["./esm/api"].import.default);',
    "import(pathToFileURL(api).href).then((tsx) => { tsx.register(); return import(pathToFileURL(entry).href); });",
  ].join("\n");
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
