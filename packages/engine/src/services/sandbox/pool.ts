import type { Worker } from "node:worker_threads";

import type { JsonValue, SandboxRunInput, SandboxRunResult, SandboxService } from "@runnel/nodes";

import type { SandboxOptions, SandboxSettings } from "./options";
import type { RunOutcome, WorkerJob, WorkerReply } from "./protocol";
import { memoryMessage, SandboxError, timeoutMessage } from "./errors";
import { FairQueue } from "./fair-queue";
import { resolveSandboxSettings, wasmCapFor } from "./options";
import { startSandboxWorker } from "./start-worker";

/** What the pool is doing, for metrics (docs/security.md, "Code sandbox"). */
export interface SandboxPoolStats {
  /** Workers started (idle or busy), and starting. */
  size: number;
  busy: number;
  idle: number;
  starting: number;
  queued: number;
  queuedByOrg: Record<string, number>;
  runningByOrg: Record<string, number>;
  completed: number;
  /** Workers replaced after the watchdog killed them or they crashed. */
  restarts: number;
  /** QuickJS modules a worker dropped (and so freed) after running out of memory or growing large. */
  modulesDropped: number;
  /** Runs stopped at their time limit (by QuickJS or by the watchdog). */
  timeouts: number;
  /** Of those, runs whose worker the watchdog had to terminate. */
  watchdogKills: number;
  /** Runs stopped at their memory limit. */
  memoryKills: number;
  crashes: number;
  rejectedQueueFull: number;
}

/** User code in a pool of worker threads, each running QuickJS; see docs/security.md, "Code sandbox". */
export interface SandboxPool {
  /** Runs `input` for `orgId` (fairness is per org). */
  run(input: SandboxRunInput, orgId: string): Promise<SandboxRunResult>;
  /** The same pool as the `SandboxService` a node sees, bound to one org. */
  forOrg(orgId: string): SandboxService;
  stats(): SandboxPoolStats;
  /** Resolves once the prewarmed workers are started (or at once when none are asked for). */
  warmUp(): Promise<void>;
  /** Fails waiting and running work and stops every worker. */
  close(): Promise<void>;
}

interface Job {
  request: WorkerJob;
  orgId: string;
  resolve: (result: SandboxRunResult) => void;
  reject: (error: SandboxError) => void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
  watchdog: NodeJS.Timeout | null;
  retired: boolean;
}

export function createSandboxPool(options: SandboxOptions = {}): SandboxPool {
  const settings: SandboxSettings = resolveSandboxSettings(options);
  const queue = new FairQueue<Job>(settings);
  const idle: Slot[] = [];
  const busy = new Set<Slot>();
  let starting = 0;
  let nextId = 1;
  let closed = false;
  /**
   * Orgs whose run got its worker killed (watchdog, crash): each keeps that place in its concurrency
   * cap until a replacement worker is up, so an org that keeps getting workers killed cannot take
   * the other orgs' workers while the pool is short (docs/nodes-http-code-ai.md).
   */
  const awaitingReplacement: string[] = [];
  let warmWaiters: (() => void)[] = [];
  const counters = {
    completed: 0,
    restarts: 0,
    timeouts: 0,
    watchdogKills: 0,
    memoryKills: 0,
    modulesDropped: 0,
    crashes: 0,
    rejectedQueueFull: 0,
  };

  const workerOptions = {
    resourceLimits: {
      maxOldGenerationSizeMb: settings.workerHeapMb,
      maxYoungGenerationSizeMb: 16,
      stackSizeMb: 4,
    },
    workerData: {
      warmCapBytes: wasmCapFor(settings.defaultMemoryBytes, settings),
      recycleAboveBytes: settings.recycleAboveBytes,
    },
  };

  /**
   * How many workers the pool keeps: the prewarm count, raised by demand up to the cap and never
   * lowered, so a worker that is killed or crashes is replaced at once rather than on the next run.
   */
  let target = settings.prewarm;

  function provision(): void {
    if (closed) return;
    target = Math.min(settings.workers, Math.max(target, busy.size + queue.size));
    while (idle.length + busy.size + starting < target) {
      starting++;
      startSandboxWorker(workerOptions).then(adopt, (error: unknown) => {
        starting--;
        settleReplacement();
        // Nothing can run if no worker starts: fail the waiting runs instead of leaving them hanging.
        if (idle.length + busy.size + starting === 0) {
          target = settings.prewarm;
          const reason = error instanceof Error ? error.message : String(error);
          for (const job of queue.drain()) {
            job.reject(
              new SandboxError(
                "SANDBOX_CRASHED",
                `The code sandbox could not start: ${reason}`,
                [],
              ),
            );
          }
        }
      });
    }
  }

  function settleReplacement(): void {
    const orgId = awaitingReplacement.shift();
    if (orgId !== undefined) queue.finish(orgId);
  }

  function adopt(worker: Worker): void {
    starting--;
    settleReplacement();
    if (closed) {
      void worker.terminate();
      return;
    }
    const slot: Slot = { worker, job: null, watchdog: null, retired: false };
    worker.unref();
    worker.on("message", (message: WorkerReply) => {
      if (message.type === "done") onDone(slot, message);
    });
    worker.on("error", (error: Error) => onCrash(slot, error));
    worker.on("exit", (exitCode) =>
      onCrash(slot, new Error(`the worker exited with code ${exitCode}`)),
    );
    idle.push(slot);
    dispatch();
    if (idle.length >= settings.prewarm) {
      for (const wake of warmWaiters) wake();
      warmWaiters = [];
    }
  }

  function dispatch(): void {
    while (idle.length > 0) {
      const next = queue.take();
      if (!next) break;
      const slot = idle.pop() as Slot;
      slot.job = next.item;
      busy.add(slot);
      const { request } = next.item;
      request.deadline = Date.now() + request.timeoutMs;
      slot.watchdog = setTimeout(
        () => onDeadline(slot),
        request.timeoutMs + settings.watchdogGraceMs,
      );
      slot.worker.postMessage(request);
    }
    provision();
  }

  /**
   * Ends the slot's current run and its watchdog; returns the job. Its org's place is freed now, or,
   * when the worker is being killed, once a replacement is up.
   */
  function release(slot: Slot, workerKilled = false): Job | null {
    const job = slot.job;
    if (slot.watchdog) clearTimeout(slot.watchdog);
    slot.watchdog = null;
    slot.job = null;
    busy.delete(slot);
    if (job && workerKilled && !closed) awaitingReplacement.push(job.orgId);
    else if (job) queue.finish(job.orgId);
    return job;
  }

  /** Terminates a worker; the next `provision` (every caller dispatches next) starts its replacement. */
  function retire(slot: Slot): void {
    if (slot.retired) return;
    slot.retired = true;
    counters.restarts++;
    const at = idle.indexOf(slot);
    if (at !== -1) idle.splice(at, 1);
    busy.delete(slot);
    void slot.worker.terminate();
  }

  function onDone(slot: Slot, reply: Extract<WorkerReply, { type: "done" }>): void {
    if (!slot.job || slot.job.request.id !== reply.id) return;
    const job = release(slot) as Job;
    settle(job, reply.outcome);
    if (reply.moduleDropped) counters.modulesDropped++;
    idle.push(slot);
    dispatch();
  }

  function settle(job: Job, outcome: RunOutcome): void {
    counters.completed++;
    if (outcome.ok) {
      job.resolve({ result: JSON.parse(outcome.resultJson) as JsonValue, logs: outcome.logs });
      return;
    }
    if (outcome.code === "SANDBOX_TIMEOUT") counters.timeouts++;
    if (outcome.code === "SANDBOX_MEMORY") counters.memoryKills++;
    job.reject(new SandboxError(outcome.code, outcome.message, outcome.logs));
  }

  /** The watchdog: the run did not stop itself at its deadline (e.g. one huge allocation), so its worker goes. */
  function onDeadline(slot: Slot): void {
    const job = release(slot, true);
    retire(slot);
    if (job) {
      counters.timeouts++;
      counters.watchdogKills++;
      counters.completed++;
      job.reject(
        new SandboxError(
          "SANDBOX_TIMEOUT",
          timeoutMessage(job.request.timeoutMs, settings.maxTimeoutMs),
          [],
        ),
      );
    }
    dispatch();
  }

  function onCrash(slot: Slot, error: Error): void {
    if (slot.retired) return;
    const job = release(slot, true);
    retire(slot);
    if (job) {
      counters.completed++;
      if ((error as { code?: unknown }).code === "ERR_WORKER_OUT_OF_MEMORY") {
        counters.memoryKills++;
        job.reject(
          new SandboxError(
            "SANDBOX_MEMORY",
            memoryMessage(job.request.memoryBytes, settings.maxMemoryBytes),
            [],
          ),
        );
      } else {
        counters.crashes++;
        job.reject(
          new SandboxError(
            "SANDBOX_CRASHED",
            `The code sandbox stopped unexpectedly: ${error.message}`,
            [],
          ),
        );
      }
    }
    dispatch();
  }

  function run(input: SandboxRunInput, orgId: string): Promise<SandboxRunResult> {
    if (closed)
      return Promise.reject(
        new SandboxError("SANDBOX_CLOSED", "The code sandbox is shut down", []),
      );
    const timeoutMs = Math.min(
      Math.max(input.timeoutMs ?? settings.defaultTimeoutMs, 1),
      settings.maxTimeoutMs,
    );
    const memoryBytes = Math.min(
      Math.max(input.memoryLimitBytes ?? settings.defaultMemoryBytes, 1024 * 1024),
      settings.maxMemoryBytes,
    );
    const inputJson = JSON.stringify(input.input ?? null);
    if (Buffer.byteLength(inputJson) > settings.maxInputBytes) {
      return Promise.reject(
        new SandboxError(
          "SANDBOX_INPUT",
          `Code input is larger than ${settings.maxInputBytes} bytes`,
          [],
        ),
      );
    }
    return new Promise<SandboxRunResult>((resolve, reject) => {
      const job: Job = {
        orgId,
        resolve,
        reject,
        request: {
          id: nextId++,
          code: input.code,
          inputJson,
          timeoutMs,
          deadline: 0,
          memoryBytes,
          wasmCapBytes: wasmCapFor(memoryBytes, settings),
          limits: settings,
        },
      };
      const queued = queue.enqueue(orgId, job);
      if (queued !== "queued") {
        counters.rejectedQueueFull++;
        reject(
          new SandboxError(
            "SANDBOX_QUEUE_FULL",
            queued === "queue-full"
              ? `Code node could not start: ${settings.maxQueued} code runs are already waiting for the sandbox; try again shortly`
              : `Code node could not start: this organisation already has ${settings.maxQueuedPerOrg} code runs waiting; try again shortly`,
            [],
          ),
        );
        return;
      }
      dispatch();
    });
  }

  provision();

  return {
    run,
    forOrg: (orgId) => ({ run: (input) => run(input, orgId) }),
    warmUp: () =>
      idle.length >= settings.prewarm || closed
        ? Promise.resolve()
        : new Promise<void>((resolve) => warmWaiters.push(resolve)),
    stats: () => ({
      size: idle.length + busy.size,
      busy: busy.size,
      idle: idle.length,
      starting,
      queued: queue.size,
      queuedByOrg: queue.queuedByOrg(),
      runningByOrg: queue.runningByOrg(),
      ...counters,
    }),
    async close() {
      closed = true;
      for (const wake of warmWaiters) wake();
      warmWaiters = [];
      for (const job of queue.drain()) {
        job.reject(new SandboxError("SANDBOX_CLOSED", "The code sandbox is shut down", []));
      }
      const slots = [...idle, ...busy];
      for (const slot of slots) {
        const job = release(slot);
        slot.retired = true;
        job?.reject(new SandboxError("SANDBOX_CLOSED", "The code sandbox is shut down", []));
      }
      idle.length = 0;
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}
