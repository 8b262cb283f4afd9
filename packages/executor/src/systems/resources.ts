import { randomUUID } from "node:crypto";

import type { BackoffOptions } from "../backoff";
import type { ExecutorOptions, Logger, Transport } from "./options";
import { Registry } from "../registry";
import { Store } from "../store";
import { WakeSignal } from "./wake";

/** Settings of one executor, defaults applied. */
export interface ExecutorSettings {
  /** The stable name given as `workerId`, if any. */
  workerName: string | undefined;
  /** The lease owner of this process: `<workerName>:<random>`, or a random name. */
  workerId: string;
  exclusive: boolean;
  leaseMs: number;
  pollMs: number;
  maxInFlight: number;
  requestTimeoutMs: number;
  dedupeWindowMs: number;
  backoff: BackoffOptions;
  checkpointing: boolean;
  migrate: boolean;
}

/**
 * What every system of the executor shares (docs/executor.md, "Code layout"): the database, the registered
 * functions, settings, the transport to serve endpoints, the log, the worker's wake-up signal and the state
 * of this process that systems read.
 */
export interface ExecutorResources {
  store: Store;
  registry: Registry;
  settings: ExecutorSettings;
  transport: Transport;
  log: Logger;
  wake: WakeSignal;
  /** Event names some run waits for (internal events are stored only when listened to). */
  waitedEventNames: Set<string>;
  /** Whether the worker loop runs (a worker continues a run itself only while it does). */
  worker: { running: boolean };
}

export function resolveSettings(options: ExecutorOptions): ExecutorSettings {
  return {
    workerName: options.workerId,
    workerId:
      options.workerId === undefined
        ? `worker-${randomUUID()}`
        : `${options.workerId}:${randomUUID()}`,
    exclusive: options.exclusive ?? options.db.driver === "pglite",
    leaseMs: options.leaseMs ?? 5_000,
    pollMs: options.pollMs ?? 250,
    maxInFlight: options.maxInFlight ?? 32,
    requestTimeoutMs: options.requestTimeoutMs ?? 5 * 60_000,
    dedupeWindowMs: options.dedupeWindowMs ?? 24 * 60 * 60_000,
    backoff: { scale: options.retryScale ?? 1 },
    checkpointing: options.checkpointing ?? true,
    migrate: options.migrate !== false,
  };
}

export function createResources(options: ExecutorOptions): ExecutorResources {
  return {
    store: new Store(options.db),
    registry: new Registry(),
    settings: resolveSettings(options),
    transport: options.transport ?? ((request) => fetch(request)),
    log: options.log ?? (() => undefined),
    wake: new WakeSignal(),
    waitedEventNames: new Set<string>(),
    worker: { running: false },
  };
}
