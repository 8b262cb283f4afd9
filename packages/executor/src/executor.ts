import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { applyMigrations } from "@runnel/db";

import type { Registry } from "./registry";
import type { Store } from "./store";
import type { CheckpointAnswer } from "./systems/checkpoint";
import type { SendResult } from "./systems/ingest";
import type { ExecutorOptions } from "./systems/options";
import type { RegisterResult } from "./systems/registration";
import type { ExecutorResources } from "./systems/resources";
import { waits } from "./schema";
import { CallSystem } from "./systems/call";
import { Checkpoints } from "./systems/checkpoint";
import { FastPaths } from "./systems/fast-paths";
import { EventIngest } from "./systems/ingest";
import { reclaimLeases } from "./systems/leases";
import { RunLifecycle } from "./systems/lifecycle";
import { OpcodeHandlers } from "./systems/opcodes";
import { Registration } from "./systems/registration";
import { createResources } from "./systems/resources";
import { ResponseHandler } from "./systems/response";
import { Retries } from "./systems/retries";
import { TimerJobs } from "./systems/timers";
import { Worker } from "./systems/worker";

export type { ExecutorOptions, Logger, LogLevel, Transport } from "./systems/options";
export type { SendResult } from "./systems/ingest";
export { EventValidationError } from "./systems/errors";

export const executorMigrations = {
  // dirname/join rather than new URL("../drizzle", import.meta.url): bundlers (Next's Turbopack) try to resolve
  // the latter as an asset and fail on a folder.
  migrationsFolder: join(dirname(fileURLToPath(import.meta.url)), "..", "drizzle"),
  migrationsTable: "__executor_migrations",
  migrationsSchema: "runnel_executor",
};

/**
 * The durable executor: a facade over its systems (src/systems, one concern each, sharing one resources
 * object — docs/executor.md, "Code layout"). Its methods are the executor's whole API.
 */
export class Executor {
  private readonly r: ExecutorResources;
  private readonly registration: Registration;
  private readonly ingest: EventIngest;
  private readonly lifecycle: RunLifecycle;
  private readonly checkpoints: Checkpoints;
  private readonly worker: Worker;
  private started?: Promise<void>;
  private starting?: Promise<void>;

  constructor(private readonly options: ExecutorOptions) {
    const r = createResources(options);
    this.r = r;
    this.registration = new Registration(r);
    // A finished run emits internal events through the ingest, which starts runs through the lifecycle.
    const lifecycle: RunLifecycle = new RunLifecycle(r, (tx, list) => ingest.ingest(tx, list));
    const ingest: EventIngest = new EventIngest(r, lifecycle);
    this.lifecycle = lifecycle;
    this.ingest = ingest;
    const retries = new Retries(r, lifecycle);
    const opcodes = new OpcodeHandlers(r, { lifecycle, retries });
    const response = new ResponseHandler({ lifecycle, retries, opcodes });
    const fastPaths = new FastPaths(r, lifecycle);
    const call = new CallSystem(r, { lifecycle, fastPaths, response });
    const timers = new TimerJobs(r, lifecycle);
    this.checkpoints = new Checkpoints(r, lifecycle);
    this.worker = new Worker(r, { registration: this.registration, call, timers });
  }

  get store(): Store {
    return this.r.store;
  }

  get registry(): Registry {
    return this.r.registry;
  }

  /** Applies migrations (unless disabled) and loads registered functions. Idempotent. */
  init(): Promise<void> {
    this.started ??= (async () => {
      if (this.r.settings.migrate) await applyMigrations(this.options.db, executorMigrations);
      await this.registration.reloadFunctions();
      const waited = await this.r.store.db.selectDistinct({ name: waits.eventName }).from(waits);
      for (const { name } of waited) this.r.waitedEventNames.add(name);
    })();
    return this.started;
  }

  /** Applies migrations, releases a dead predecessor's leases (see reclaimLeases) and starts the worker. */
  start(): Promise<void> {
    this.starting ??= (async () => {
      await this.init();
      await reclaimLeases(this.r);
      this.worker.start();
    })();
    return this.starting;
  }

  /** Stops claiming work and waits for requests in flight to finish. */
  async stop(): Promise<void> {
    const starting = this.starting;
    this.starting = undefined;
    await starting?.catch(() => undefined);
    await this.worker.stop();
  }

  wake(): void {
    this.r.wake.wake();
  }

  reloadFunctions(): Promise<void> {
    return this.registration.reloadFunctions();
  }

  /**
   * Registers an app from the body the SDK POSTs to /fn/register. Rejects the whole app when a function uses
   * an option this executor does not implement, naming each.
   */
  async registerApp(rawBody: unknown): Promise<RegisterResult> {
    await this.init();
    return this.registration.registerApp(rawBody);
  }

  /** Asks an app to register itself: PUT on its serve URL (what `inngest dev -u <url>` does). */
  syncApp(url: string): Promise<Response> {
    return this.registration.syncApp(url);
  }

  /** Accepts events (as POST /e/:key does): stores them, starts triggered runs, resumes waits, cancels runs. */
  async sendEvents(input: unknown, options: { seed?: string } = {}): Promise<SendResult> {
    await this.init();
    return this.ingest.sendEvents(input, options);
  }

  async sendEvent(event: {
    name: string;
    data?: Record<string, unknown>;
    id?: string;
    ts?: number;
    user?: Record<string, unknown>;
  }): Promise<string> {
    const { ids } = await this.sendEvents([event]);
    return ids[0] ?? "";
  }

  async cancelRun(runId: string, reason = "cancelled through the API"): Promise<boolean> {
    await this.init();
    return this.lifecycle.cancelRun(runId, reason);
  }

  /** POST /v1/checkpoint/:runId/async (see Checkpoints). */
  async checkpoint(runId: string, input: unknown): Promise<CheckpointAnswer> {
    await this.init();
    return this.checkpoints.checkpoint(runId, input);
  }
}
