import { availableParallelism } from "node:os";

import type { RunLimits } from "./protocol";

const MiB = 1024 * 1024;

export interface SandboxOptions {
  /** Time limit when a run names none, ms (default 1 000). */
  defaultTimeoutMs?: number;
  /** Largest time limit a run may ask for, ms (default 30 000). */
  maxTimeoutMs?: number;
  /** Memory limit when a run names none, bytes (default 64 MiB). */
  defaultMemoryLimitBytes?: number;
  /** Largest memory limit a run may ask for, bytes (default 256 MiB). */
  maxMemoryLimitBytes?: number;
  /** Largest serialised result, bytes (default 4 MiB). */
  maxOutputBytes?: number;
  /** Largest serialised input, bytes (default 16 MiB). */
  maxInputBytes?: number;
  /** Console lines kept per run (default 1 000); later lines are counted, not kept. */
  maxLogLines?: number;
  /** Characters kept of one console line (default 8 000). */
  maxLogLineChars?: number;
  /** Interpreter stack, bytes (default 1 MiB). */
  maxStackBytes?: number;
  /** Worker threads at most (default: available cores, between 2 and 4). */
  workers?: number;
  /** Idle workers kept started so a run does not wait for one to boot (default 1). */
  prewarm?: number;
  /** Runs of one org executing at once (default: half the workers, at least 1). */
  maxConcurrentPerOrg?: number;
  /** Runs waiting for a worker, all orgs together (default 200). */
  maxQueued?: number;
  /** Runs of one org waiting for a worker (default 50). */
  maxQueuedPerOrg?: number;
  /** V8 heap cap of a worker (resourceLimits), MB; it holds only bounded copies (default 96). */
  workerHeapMb?: number;
  /** Added to a run's memory limit for the hard cap of its WebAssembly memory, bytes (default 32 MiB). */
  wasmOverheadBytes?: number;
  /** How long after its deadline a run that did not stop itself has its worker terminated, ms (default 30). */
  watchdogGraceMs?: number;
  /** A QuickJS module whose WebAssembly memory grew past this is dropped after its run, bytes (default 128 MiB). */
  recycleAboveBytes?: number;
}

export interface SandboxSettings extends RunLimits {
  defaultTimeoutMs: number;
  defaultMemoryBytes: number;
  maxInputBytes: number;
  workers: number;
  prewarm: number;
  maxConcurrentPerOrg: number;
  maxQueued: number;
  maxQueuedPerOrg: number;
  workerHeapMb: number;
  wasmOverheadBytes: number;
  watchdogGraceMs: number;
  recycleAboveBytes: number;
}

/** Defaults applied and every number checked; a bad option fails with its name and what is accepted. */
export function resolveSandboxSettings(options: SandboxOptions = {}): SandboxSettings {
  const workers = positive(
    "workers",
    options.workers ?? Math.min(4, Math.max(2, availableParallelism())),
  );
  const settings: SandboxSettings = {
    defaultTimeoutMs: positive("defaultTimeoutMs", options.defaultTimeoutMs ?? 1_000),
    maxTimeoutMs: positive("maxTimeoutMs", options.maxTimeoutMs ?? 30_000),
    defaultMemoryBytes: positive(
      "defaultMemoryLimitBytes",
      options.defaultMemoryLimitBytes ?? 64 * MiB,
    ),
    maxMemoryBytes: positive("maxMemoryLimitBytes", options.maxMemoryLimitBytes ?? 256 * MiB),
    maxOutputBytes: positive("maxOutputBytes", options.maxOutputBytes ?? 4 * MiB),
    maxInputBytes: positive("maxInputBytes", options.maxInputBytes ?? 16 * MiB),
    maxLogLines: positive("maxLogLines", options.maxLogLines ?? 1_000),
    maxLogLineChars: positive("maxLogLineChars", options.maxLogLineChars ?? 8_000),
    maxStackBytes: positive("maxStackBytes", options.maxStackBytes ?? MiB),
    workers,
    prewarm: atLeastZero("prewarm", options.prewarm ?? 1),
    maxConcurrentPerOrg: positive(
      "maxConcurrentPerOrg",
      options.maxConcurrentPerOrg ?? Math.max(1, Math.ceil(workers / 2)),
    ),
    maxQueued: atLeastZero("maxQueued", options.maxQueued ?? 200),
    maxQueuedPerOrg: atLeastZero("maxQueuedPerOrg", options.maxQueuedPerOrg ?? 50),
    workerHeapMb: positive("workerHeapMb", options.workerHeapMb ?? 96),
    wasmOverheadBytes: atLeastZero("wasmOverheadBytes", options.wasmOverheadBytes ?? 32 * MiB),
    watchdogGraceMs: atLeastZero("watchdogGraceMs", options.watchdogGraceMs ?? 30),
    recycleAboveBytes: positive("recycleAboveBytes", options.recycleAboveBytes ?? 128 * MiB),
  };
  if (settings.prewarm > workers) {
    throw new RangeError(
      `sandbox option prewarm (${settings.prewarm}) exceeds workers (${workers})`,
    );
  }
  return settings;
}

/**
 * The hard cap of a run's WebAssembly memory: twice its memory limit rounded up to a power of two
 * (so workers reuse one QuickJS module per size class; at least 16 MiB), plus the fixed overhead.
 * Twice, because QuickJS counts live bytes while the allocator also needs room for fragmentation and
 * for growing arrays and strings (old and new block at once); with less, the cap is reached before
 * QuickJS's own limit and the error loses its message.
 */
export function wasmCapFor(memoryBytes: number, settings: SandboxSettings): number {
  let classBytes = 16 * MiB;
  while (classBytes < memoryBytes) classBytes *= 2;
  return 2 * classBytes + settings.wasmOverheadBytes;
}

function positive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(
      `sandbox option ${name} must be a whole number of at least 1, got ${value}`,
    );
  }
  return value;
}

function atLeastZero(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(
      `sandbox option ${name} must be a whole number of at least 0, got ${value}`,
    );
  }
  return value;
}
