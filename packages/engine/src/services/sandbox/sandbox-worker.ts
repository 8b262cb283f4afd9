import type { QuickJSWASMModule } from "quickjs-emscripten";
import { parentPort, workerData } from "node:worker_threads";
import { newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC } from "quickjs-emscripten";

import type { WorkerJob, WorkerReply } from "./protocol";
import { runInQuickJs } from "./quickjs-run";
import { embeddedQuickJsWasm } from "./quickjs-wasm";

/**
 * A sandbox worker thread: runs one job at a time in QuickJS and replies. Each QuickJS module gets a
 * WebAssembly memory whose maximum is the run's hard cap (docs/security.md, "Code sandbox"), so a
 * run can never grow it further whatever QuickJS's own accounting says. Modules are kept per cap and
 * reused by later runs with the same cap; one that ran out of memory, could not be cleaned up or grew
 * past `recycleAboveBytes` is dropped (its memory is freed with it; WebAssembly memory never shrinks).
 */

const PAGE_BYTES = 64 * 1024;
/** QuickJS's build declares a 16 MiB minimum memory. */
const INITIAL_PAGES = 256;

/** WebAssembly.Memory as used here (the project's type libraries do not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
const { Memory } = (
  globalThis as unknown as {
    WebAssembly: { Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory };
  }
).WebAssembly;

const port = parentPort;
if (!port) throw new Error("sandbox-worker.ts runs only as a worker thread");

const modules = new Map<number, { memory: WasmMemory; quickjs: Promise<QuickJSWASMModule> }>();

/** Past half its cap, a failed allocation means the cap was reached (a request larger than the rest). */
function nearCap(capBytes: number): boolean {
  const memory = modules.get(capBytes)?.memory;
  return memory !== undefined && memory.buffer.byteLength > capBytes / 2;
}

function moduleFor(capBytes: number): Promise<QuickJSWASMModule> {
  const existing = modules.get(capBytes);
  if (existing) return existing.quickjs;
  const memory = new Memory({
    initial: INITIAL_PAGES,
    maximum: Math.max(INITIAL_PAGES, Math.floor(capBytes / PAGE_BYTES)),
  });
  const quickjs = newQuickJSWASMModuleFromVariant(
    newVariant(RELEASE_SYNC, {
      wasmMemory: memory,
      ...(embeddedQuickJsWasm ? { wasmBinary: wasmBinary(embeddedQuickJsWasm) } : {}),
    }),
  );
  modules.set(capBytes, { memory, quickjs });
  return quickjs;
}

/** The embedded binary as the ArrayBuffer emscripten takes (a copy: a view may share a larger buffer). */
function wasmBinary(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function wasmBytes(): number {
  let total = 0;
  for (const { memory } of modules.values()) total += memory.buffer.byteLength;
  return total;
}

const reply = (message: WorkerReply) => port.postMessage(message);

const { warmCapBytes, recycleAboveBytes } = workerData as {
  warmCapBytes: number;
  recycleAboveBytes: number;
};

port.on("message", (job: WorkerJob) => {
  void moduleFor(job.wasmCapBytes).then((quickjs) => {
    const { outcome, tainted } = runInQuickJs(quickjs, job, () => nearCap(job.wasmCapBytes));
    const grown =
      (modules.get(job.wasmCapBytes)?.memory.buffer.byteLength ?? 0) > recycleAboveBytes;
    const dropped = tainted || grown || (!outcome.ok && outcome.code === "SANDBOX_MEMORY");
    if (dropped) modules.delete(job.wasmCapBytes);
    reply({ type: "done", id: job.id, outcome, wasmBytes: wasmBytes(), moduleDropped: dropped });
    // Load the replacement now, while the worker would otherwise wait for its next job.
    if (dropped) void moduleFor(job.wasmCapBytes);
  });
});

/** A throwaway run before "ready" compiles the run path, so the pool's first call is as fast as later ones. */
const WARM_UP: WorkerJob = {
  id: 0,
  code: "return input;",
  inputJson: "null",
  timeoutMs: 1_000,
  deadline: 0,
  memoryBytes: 16 * 1024 * 1024,
  wasmCapBytes: warmCapBytes,
  limits: {
    maxTimeoutMs: 1_000,
    maxMemoryBytes: 16 * 1024 * 1024,
    maxOutputBytes: 1_024,
    maxLogLines: 1,
    maxLogLineChars: 100,
    maxStackBytes: 256 * 1024,
  },
};

void moduleFor(warmCapBytes).then((quickjs) => {
  runInQuickJs(quickjs, { ...WARM_UP, deadline: Date.now() + WARM_UP.timeoutMs }, () => false);
  reply({ type: "ready" });
});
