import { randomUUID } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { notInArray } from "drizzle-orm";

import type { DbHandle } from "@runnel/db";
import { and, applyMigrations, eq, inArray, isNull, lt, lte, ne, or, sql } from "@runnel/db";

import type { BackoffOptions } from "./backoff";
import type {
  ConcurrencyLimit,
  FunctionConfig,
  IncomingEvent,
  MemoEntry,
  OutgoingOp,
  RunRequestBody,
  StoredEvent,
} from "./protocol";
import type { JobRow, NewJob } from "./queue";
import type { RegisteredFunction } from "./registry";
import type { RunStatus, StepStatus } from "./schema";
import type { Tx } from "./store";
import { backoffDelay, retryAfterDelay } from "./backoff";
import { evaluateKey, matches } from "./cel";
import { cronOfJob, insertTimerEvent, scheduleNextCronTick, syncCronJobs } from "./cron";
import { seededEventId, ulid } from "./ids";
import { internalEvents } from "./internal-events";
import { planStep } from "./planned-steps";
import {
  checkFunctionConfig,
  CheckpointBody,
  defaultRetries,
  IncomingEvent as IncomingEventSchema,
  InvokeOpts,
  normaliseConcurrency,
  OpsResponse,
  parseDuration,
  RegisterBody,
  sleepUntil,
  supportedOpcodes,
  WaitForEventOpts,
} from "./protocol";
import { insertJob, startLeaseHeartbeat } from "./queue";
import { checkFunctionExpressions, Registry } from "./registry";
import { apps, events, functions, idempotency, jobs, runs, steps, waits } from "./schema";
import { Store } from "./store";

export const executorMigrations = {
  // dirname/join rather than new URL("../drizzle", import.meta.url): bundlers (Next's Turbopack) try to resolve
  // the latter as an asset and fail on a folder.
  migrationsFolder: join(dirname(fileURLToPath(import.meta.url)), "..", "drizzle"),
  migrationsTable: "__executor_migrations",
  migrationsSchema: "runnel_executor",
};

/** Calls a serve endpoint: global fetch over HTTP, or an in-process serve handler (e.g. inngest/edge's serve). */
export type Transport = (request: Request) => Promise<Response>;

export type LogLevel = "debug" | "info" | "warn" | "error";
export type Logger = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

export interface ExecutorOptions {
  db: DbHandle;
  /** How serve endpoints are reached. Default: HTTP with global fetch. */
  transport?: Transport;
  /** Apply the executor's migrations on start (default true). */
  migrate?: boolean;
  /** Multiplies retry backoff delays (default 1: 15 s, 30 s, 60 s, ... with jitter, up to 2 h). */
  retryScale?: number;
  /** How long a claimed job stays leased without a heartbeat before another worker may take it (default 30 s). */
  leaseMs?: number;
  /** How often the worker looks for due work when nothing woke it (default 250 ms). */
  pollMs?: number;
  /** Serve-endpoint requests in flight at once (default 32). */
  maxInFlight?: number;
  /** Timeout of one request to a serve endpoint (default 5 min). */
  requestTimeoutMs?: number;
  /** Deduplication window for event ids and idempotency keys (default 24 h). */
  dedupeWindowMs?: number;
  /** Name of this worker in leases (default random). */
  workerId?: string;
  /**
   * Let the SDK run consecutive steps in one request and report each completed step to
   * POST /v1/checkpoint/:runId/async (default true). false keeps one request per step.
   */
  checkpointing?: boolean;
  log?: Logger;
}

export interface SendResult {
  ids: string[];
}

/** Runs started by a batch of events, inserted together (see route). */
interface RunBatch {
  runs: (typeof runs.$inferInsert)[];
  jobs: (typeof jobs.$inferInsert)[];
  /** A run with cancelOn waits was inserted: later events of the batch must query waits again. */
  waitsAdded: boolean;
}
type RunRow = typeof runs.$inferSelect;

/** What a worker already knows about a run it continues without going through the queue. */
interface Known {
  run: RunRow;
  memo: Record<string, MemoEntry>;
  stack: string[];
}

interface Continue {
  job: JobRow;
  added: { id: string; entry: MemoEntry };
  /** The job was no longer ours (run ended or another worker took it over): nothing to continue. */
  lost?: boolean;
}

interface Next {
  job: JobRow;
  known?: Known;
}

type HttpAnswer = { status: number; headers: Headers; body: unknown } | { failure: string };

interface ErrorShape {
  name: string;
  message: string;
  stack?: string;
  [key: string]: unknown;
}

const ADVISORY_LOCK = 7_240_517;

function toError(value: unknown, fallback: string): ErrorShape {
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const message =
      typeof obj.message === "string"
        ? obj.message
        : typeof obj.error === "string"
          ? obj.error
          : fallback;
    return { ...obj, name: typeof obj.name === "string" ? obj.name : "Error", message };
  }
  if (typeof value === "string" && value) return { name: "Error", message: value };
  return { name: "Error", message: fallback };
}

function jsonParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The durable executor: event routing, the job queue worker, and the state it keeps in Postgres. */
export class Executor {
  readonly store: Store;
  readonly registry = new Registry();
  private readonly transport: Transport;
  private readonly workerId: string;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly maxInFlight: number;
  private readonly requestTimeoutMs: number;
  private readonly dedupeWindowMs: number;
  private readonly backoff: BackoffOptions;
  private readonly log: Logger;
  private readonly checkpointing: boolean;
  private running = false;
  /** A wake-up arrived while the worker was busy claiming: look for work again before sleeping. */
  private woken = false;
  private started?: Promise<void>;
  private loop?: Promise<void>;
  private inFlight = 0;
  private wakeUp?: () => void;
  private readonly active = new Set<Promise<void>>();
  private readonly waitedEventNames = new Set<string>();
  /** Jobs this worker is working on: never claimed again by it, even when a slow heartbeat let the lease lapse. */
  private readonly working = new Set<number>();

  constructor(private readonly options: ExecutorOptions) {
    this.store = new Store(options.db);
    this.transport = options.transport ?? ((request) => fetch(request));
    this.workerId = options.workerId ?? `worker-${randomUUID()}`;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollMs = options.pollMs ?? 250;
    this.maxInFlight = options.maxInFlight ?? 32;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 5 * 60_000;
    this.dedupeWindowMs = options.dedupeWindowMs ?? 24 * 60 * 60_000;
    this.backoff = { scale: options.retryScale ?? 1 };
    this.log = options.log ?? (() => undefined);
    this.checkpointing = options.checkpointing ?? true;
  }

  /** Applies migrations (unless disabled) and loads registered functions. Idempotent. */
  init(): Promise<void> {
    this.started ??= (async () => {
      if (this.options.migrate !== false)
        await applyMigrations(this.options.db, executorMigrations);
      await this.reloadFunctions();
      const waited = await this.store.db.selectDistinct({ name: waits.eventName }).from(waits);
      for (const { name } of waited) this.waitedEventNames.add(name);
    })();
    return this.started;
  }

  async start(): Promise<void> {
    await this.init();
    if (this.running) return;
    this.running = true;
    this.loop = this.workLoop();
  }

  /** Stops claiming work and waits for requests in flight to finish. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    await Promise.allSettled([...this.active]);
  }

  wake(): void {
    const wake = this.wakeUp;
    this.wakeUp = undefined;
    if (wake) wake();
    else this.woken = true;
  }

  async reloadFunctions(): Promise<void> {
    const rows = await this.store.db.select().from(functions);
    this.registry.replaceAll(
      rows.map((row) => ({
        id: row.id,
        appId: row.appId,
        name: row.name,
        url: row.url,
        config: row.config as FunctionConfig,
      })),
    );
  }

  // ---------------------------------------------------------------- registration

  /**
   * Registers an app from the body the SDK POSTs to /fn/register. Rejects the whole app when a function uses
   * an option this executor does not implement, naming each.
   */
  async registerApp(
    rawBody: unknown,
  ): Promise<{ ok: true; modified: boolean } | { ok: false; error: string }> {
    await this.init();
    const body = RegisterBody.safeParse(rawBody);
    if (!body.success) {
      return {
        ok: false,
        error: `Invalid registration: ${body.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
      };
    }
    const problems: string[] = [];
    const configs: FunctionConfig[] = [];
    body.data.functions.forEach((raw, i) => {
      const checked = checkFunctionConfig(raw, i);
      problems.push(...checked.problems);
      if (checked.config) {
        configs.push(checked.config);
        problems.push(...checkFunctionExpressions(checked.config));
      }
    });
    if (problems.length > 0) return { ok: false, error: problems.join("; ") };

    const appId = body.data.appName;
    const now = new Date();
    await this.store.tx(async (tx) => {
      await tx
        .insert(apps)
        .values({
          id: appId,
          url: body.data.url,
          sdk: body.data.sdk,
          framework: body.data.framework,
          functions: body.data.functions,
          updatedAt: now,
        })
        .onConflictDoUpdate({
          target: apps.id,
          set: {
            url: body.data.url,
            sdk: body.data.sdk,
            framework: body.data.framework,
            functions: body.data.functions,
            updatedAt: now,
          },
        });
      const previous = await tx
        .delete(functions)
        .where(eq(functions.appId, appId))
        .returning({ id: functions.id });
      if (configs.length > 0) {
        await tx
          .insert(functions)
          .values(
            configs.map((config) => ({
              id: config.id,
              appId,
              name: config.name ?? config.id,
              url: config.steps.step?.runtime.url ?? body.data.url,
              config,
              updatedAt: now,
            })),
          )
          .onConflictDoUpdate({
            target: functions.id,
            set: {
              appId,
              name: sql`excluded.name`,
              url: sql`excluded.url`,
              config: sql`excluded.config`,
              updatedAt: now,
            },
          });
      }
      await syncCronJobs(
        tx,
        previous.map((fn) => fn.id),
        configs,
        now,
        this.leaseMs,
      );
    });
    await this.reloadFunctions();
    this.wake();
    this.log("info", `registered app "${appId}"`, { functions: configs.map((c) => c.id) });
    return { ok: true, modified: true };
  }

  /** Asks an app to register itself: PUT on its serve URL (what `inngest dev -u <url>` does). */
  async syncApp(url: string): Promise<Response> {
    return this.transport(
      new Request(url, { method: "PUT", headers: { host: new URL(url).host } }),
    );
  }

  // ---------------------------------------------------------------- events

  /** Accepts events (as POST /e/:key does): stores them, starts triggered runs, resumes waits, cancels runs. */
  async sendEvents(input: unknown, options: { seed?: string } = {}): Promise<SendResult> {
    await this.init();
    const list = Array.isArray(input) ? input : [input];
    const parsed: IncomingEvent[] = list.map((item, i) => {
      const result = IncomingEventSchema.safeParse(item);
      if (!result.success) {
        throw new EventValidationError(
          `events[${i}]: ${result.error.issues.map((issue) => `${issue.path.join(".") || "event"}: ${issue.message}`).join("; ")}`,
        );
      }
      return result.data;
    });
    const now = Date.now();
    const prepared: StoredEvent[] = parsed.map((event, i) => ({
      id: event.id ?? (options.seed ? seededEventId(options.seed, i) : undefined) ?? ulid(now),
      name: event.name,
      data: event.data ?? {},
      ...(event.user ? { user: event.user } : {}),
      ts: event.ts ?? now,
      ...(event.v ? { v: event.v } : {}),
    }));
    await this.store.tx(async (tx) => {
      await this.ingest(tx, prepared);
    });
    this.wake();
    return { ids: prepared.map((event) => event.id) };
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

  /**
   * Stores events (skipping ids seen within the dedupe window) and routes them, in order. A batch takes one
   * insert for the events, one query for the waits they may match, and one insert each for the runs and the
   * first calls they start.
   */
  private async ingest(tx: Tx, list: StoredEvent[]): Promise<void> {
    if (new Set(list.map((event) => event.id)).size !== list.length) {
      // The same id twice in one batch: the later copy must see the earlier one, so one at a time.
      for (const event of list) await this.ingest(tx, [event]);
      return;
    }
    const now = new Date();
    const cutoff = new Date(now.getTime() - this.dedupeWindowMs);
    const inserted = await tx
      .insert(events)
      .values(
        list.map((event) => ({
          id: event.id,
          name: event.name,
          data: event.data,
          user: event.user ?? null,
          ts: event.ts,
          receivedAt: now,
        })),
      )
      .onConflictDoUpdate({
        target: events.id,
        set: {
          name: sql`excluded.name`,
          data: sql`excluded.data`,
          user: sql`excluded."user"`,
          ts: sql`excluded.ts`,
          receivedAt: now,
        },
        setWhere: lt(events.receivedAt, cutoff),
      })
      .returning({ id: events.id });
    const stored = new Set(inserted.map((row) => row.id));
    for (const event of list) {
      if (!stored.has(event.id)) this.log("debug", `duplicate event ${event.id} ignored`);
    }
    await this.route(
      tx,
      list.filter((event) => stored.has(event.id)),
    );
  }

  private async route(tx: Tx, list: StoredEvent[]): Promise<void> {
    if (list.length === 0) return;
    const names = [...new Set(list.map((event) => event.name))];
    const waitsFor = () =>
      tx
        .select({ wait: waits, runEvent: runs.event })
        .from(waits)
        .innerJoin(runs, eq(runs.id, waits.runId))
        .where(and(inArray(waits.eventName, names), eq(runs.status, "running")));
    const batch: RunBatch = { runs: [], jobs: [], waitsAdded: false };
    let pending = await waitsFor();
    for (const event of list) {
      if (batch.waitsAdded) {
        // An earlier event of the batch started a run with cancelOn: later events must see it.
        await this.flushRuns(tx, batch);
        pending = await waitsFor();
      }
      // Waits first: a run must not be resumed or cancelled by the event that started it.
      for (const { wait, runEvent } of pending) {
        if (wait.eventName !== event.name) continue;
        if (wait.expiresAt && wait.expiresAt.getTime() < Date.now()) continue;
        if (!matches(wait.expression, { event: runEvent, async: event })) continue;
        if (wait.kind === "cancel") {
          await this.cancelRunTx(tx, wait.runId, event.id);
          continue;
        }
        const claimed = await tx
          .delete(waits)
          .where(eq(waits.id, wait.id))
          .returning({ id: waits.id });
        if (claimed.length === 0 || !wait.stepId) continue;
        await tx
          .delete(jobs)
          .where(
            and(eq(jobs.key, `wait-timeout:${wait.runId}:${wait.stepId}`), isNull(jobs.leaseOwner)),
          );
        await this.resolveStep(tx, wait.runId, wait.stepId, { data: event });
      }
      for (const { fn, expressions } of this.registry.forEvent(event.name)) {
        if (expressions.some((expression) => matches(expression, { event }))) {
          await this.createRun(tx, fn, event, undefined, batch);
        }
      }
    }
    await this.flushRuns(tx, batch);
  }

  /** Inserts the runs (and their first calls) that createRun collected. */
  private async flushRuns(tx: Tx, batch: RunBatch): Promise<void> {
    if (batch.runs.length > 0) await tx.insert(runs).values(batch.runs);
    if (batch.jobs.length > 0) {
      await tx
        .insert(jobs)
        .values(batch.jobs)
        .onConflictDoNothing({ target: jobs.key, where: sql`lease_owner is null` });
    }
    batch.runs = [];
    batch.jobs = [];
    batch.waitsAdded = false;
  }

  // ---------------------------------------------------------------- runs

  private async createRun(
    tx: Tx,
    fn: RegisteredFunction,
    event: StoredEvent,
    parent?: { runId: string; stepId: string },
    batch?: RunBatch,
  ): Promise<string | undefined> {
    const config = fn.config;
    const runId = ulid();
    const now = new Date();
    if (config.idempotency) {
      const key = evaluateKey(config.idempotency, { event });
      if (key !== undefined) {
        const cutoff = new Date(now.getTime() - this.dedupeWindowMs);
        const claimed = await tx
          .insert(idempotency)
          .values({ functionId: fn.id, key, runId, createdAt: now })
          .onConflictDoUpdate({
            target: [idempotency.functionId, idempotency.key],
            set: { runId, createdAt: now },
            setWhere: lt(idempotency.createdAt, cutoff),
          })
          .returning({ runId: idempotency.runId });
        if (claimed.length === 0) {
          this.log("debug", `run of "${fn.id}" skipped: idempotency key ${key} already used`);
          return undefined;
        }
      }
    }
    const concurrency = this.concurrencyKeys(fn, normaliseConcurrency(config.concurrency), event);
    const retries = config.steps.step?.retries?.attempts ?? defaultRetries;
    const row: typeof runs.$inferInsert = {
      id: runId,
      functionId: fn.id,
      status: "running",
      eventId: event.id,
      event,
      maxAttempts: retries + 1,
      concurrency,
      parentRunId: parent?.runId ?? null,
      parentStepId: parent?.stepId ?? null,
      createdAt: now,
    };
    const first = {
      key: `call:${runId}:step`,
      kind: "call" as const,
      runId,
      stepId: "step",
      dueAt: now,
      concurrency,
    };
    const cancels = config.cancel ?? [];
    if (batch && cancels.length === 0) {
      batch.runs.push(row);
      batch.jobs.push({
        ...first,
        attempt: 0,
        payload: null,
        leaseOwner: null,
        leaseExpires: null,
      });
      return runId;
    }
    await tx.insert(runs).values(row);
    if (batch && cancels.length > 0) batch.waitsAdded = true;
    for (const cancel of cancels) {
      const timeout = cancel.timeout ? parseDuration(cancel.timeout) : undefined;
      await tx.insert(waits).values({
        runId,
        kind: "cancel",
        eventName: cancel.event,
        expression: cancel.if ?? null,
        expiresAt: timeout === undefined ? null : new Date(now.getTime() + timeout),
      });
    }
    await this.insertJob(tx, first);
    return runId;
  }

  private concurrencyKeys(
    fn: RegisteredFunction,
    limits: ConcurrencyLimit[],
    event: StoredEvent,
  ): { key: string; limit: number }[] {
    return limits.map((limit) => {
      const value = limit.key ? (evaluateKey(limit.key, { event }) ?? "") : "";
      const scope = limit.scope === "fn" ? `fn:${fn.id}` : `env:${limit.key ?? ""}`;
      return { key: `${scope}:${value}`, limit: limit.limit };
    });
  }

  private insertJob(tx: Tx, job: NewJob, leaseTo?: string): Promise<JobRow | undefined> {
    return insertJob(tx, job, this.leaseMs, leaseTo);
  }

  /** Records a result for a step that was waiting (sleep, wait, invoke) and schedules the run to continue. */
  private async resolveStep(
    tx: Tx,
    runId: string,
    stepId: string,
    result: MemoEntry,
  ): Promise<void> {
    const run = await tx.select().from(runs).where(eq(runs.id, runId)).limit(1);
    const row = run[0];
    if (!row || row.status !== "running") return;
    const written = await this.saveResult(
      tx,
      runId,
      { id: stepId, op: "", status: "error" in result ? "failed" : "completed" },
      result,
    );
    if (written) await this.scheduleDiscovery(tx, row);
  }

  /** Writes a step's memoized result unless one is already recorded. Returns whether it wrote. */
  private async saveResult(
    tx: Tx,
    runId: string,
    step: {
      id: string;
      op: string;
      name?: string;
      displayName?: string;
      status: StepStatus;
      attempts?: number;
      startedAt?: Date;
    },
    result: MemoEntry,
  ): Promise<boolean> {
    const now = new Date();
    const data = "data" in result ? (result.data ?? null) : null;
    const error = "error" in result ? result.error : null;
    const rows = await tx
      .insert(steps)
      .values({
        runId,
        id: step.id,
        op: step.op || "Step",
        name: step.name ?? null,
        displayName: step.displayName ?? null,
        status: step.status,
        hasResult: true,
        data,
        error,
        attempts: step.attempts ?? 1,
        startedAt: step.startedAt ?? now,
        endedAt: now,
      })
      .onConflictDoUpdate({
        target: [steps.runId, steps.id],
        set: {
          status: step.status,
          hasResult: true,
          data,
          error,
          endedAt: now,
          ...(step.op ? { op: step.op } : {}),
          ...(step.attempts ? { attempts: step.attempts } : {}),
          ...(step.name ? { name: step.name } : {}),
          ...(step.displayName ? { displayName: step.displayName } : {}),
        },
        setWhere: eq(steps.hasResult, false),
      })
      .returning({ id: steps.id });
    return rows.length > 0;
  }

  private async scheduleDiscovery(
    tx: Tx,
    run: RunRow,
    leaseTo?: string,
  ): Promise<JobRow | undefined> {
    return this.insertJob(
      tx,
      {
        key: `call:${run.id}:step`,
        kind: "call",
        runId: run.id,
        stepId: "step",
        dueAt: new Date(),
        concurrency: run.concurrency,
      },
      leaseTo,
    );
  }

  private async finishRun(
    tx: Tx,
    run: RunRow,
    outcome: {
      status: Exclude<RunStatus, "running">;
      output?: unknown;
      error?: ErrorShape;
      cancelledBy?: string;
    },
  ): Promise<void> {
    const now = new Date();
    const updated = await tx
      .update(runs)
      .set({
        status: outcome.status,
        output: outcome.output ?? null,
        error: outcome.error ?? null,
        endedAt: now,
        cancelledBy: outcome.cancelledBy ?? null,
      })
      .where(and(eq(runs.id, run.id), eq(runs.status, "running")))
      .returning({ id: runs.id });
    if (updated.length === 0) return;
    await tx.delete(jobs).where(eq(jobs.runId, run.id));
    await tx.delete(waits).where(eq(waits.runId, run.id));
    if (run.parentRunId && run.parentStepId) {
      await tx
        .delete(jobs)
        .where(
          and(
            eq(jobs.key, `invoke-timeout:${run.parentRunId}:${run.parentStepId}`),
            isNull(jobs.leaseOwner),
          ),
        );
      const result: MemoEntry =
        outcome.status === "completed"
          ? { data: outcome.output ?? null }
          : {
              error: outcome.error ?? {
                name: "Error",
                message: `invoked run ${run.id} ${outcome.status}`,
              },
            };
      await this.resolveStep(tx, run.parentRunId, run.parentStepId, result);
    }
    const base = { function_id: run.functionId, run_id: run.id, event: run.event };
    const emitted: Omit<StoredEvent, "id" | "ts">[] = [];
    if (outcome.status === "completed")
      emitted.push({
        name: internalEvents.finished,
        data: { ...base, result: outcome.output ?? null },
      });
    if (outcome.status === "failed") {
      emitted.push({ name: internalEvents.failed, data: { ...base, error: outcome.error } });
      emitted.push({ name: internalEvents.finished, data: { ...base, error: outcome.error } });
    }
    if (outcome.status === "cancelled")
      emitted.push({ name: internalEvents.cancelled, data: { ...base, error: outcome.error } });
    for (const event of emitted) {
      if (!this.isListenedTo(event.name)) continue;
      await this.ingest(tx, [{ ...event, id: ulid(), ts: now.getTime() }]);
    }
  }

  /** Internal events are stored only when a function or a wait could use them (keeps finished runs cheap). */
  private isListenedTo(name: string): boolean {
    return this.registry.forEvent(name).length > 0 || this.waitedEventNames.has(name);
  }

  async cancelRun(runId: string, reason = "cancelled through the API"): Promise<boolean> {
    await this.init();
    const cancelled = await this.store.tx((tx) => this.cancelRunTx(tx, runId, reason));
    this.wake();
    return cancelled;
  }

  private async cancelRunTx(tx: Tx, runId: string, by: string): Promise<boolean> {
    const rows = await tx.select().from(runs).where(eq(runs.id, runId)).limit(1);
    const run = rows[0];
    if (!run || run.status !== "running") return false;
    await this.finishRun(tx, run, {
      status: "cancelled",
      error: { name: "FunctionCancelledError", message: `run ${runId} was cancelled (${by})` },
      cancelledBy: by,
    });
    return true;
  }

  // ---------------------------------------------------------------- worker

  private async workLoop(): Promise<void> {
    let reloadedAt = Date.now();
    while (this.running) {
      if (Date.now() - reloadedAt > 5000) {
        // Another executor process on the same database may have registered apps.
        reloadedAt = Date.now();
        await this.reloadFunctions().catch((error: unknown) =>
          this.log("warn", "reloading functions failed", { error: (error as Error).message }),
        );
      }
      let claimed: JobRow[] = [];
      this.woken = false;
      const free = this.maxInFlight - this.inFlight;
      if (free > 0) {
        try {
          claimed = await this.claim(free);
        } catch (error) {
          this.log("error", "claiming jobs failed", { error: (error as Error).message });
        }
      }
      for (const job of claimed) this.spawn(job);
      if ((claimed.length === 0 && !this.woken) || this.inFlight >= this.maxInFlight) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.pollMs);
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }

  private spawn(first: JobRow): void {
    this.inFlight++;
    const task = (async () => {
      let next: Next | undefined = { job: first };
      while (next) {
        const { job }: Next = next;
        this.working.add(job.id);
        try {
          next = await this.handle(job, next.known);
        } catch (error) {
          this.log("error", `job ${job.kind} ${job.id} failed`, {
            error: (error as Error).message,
            runId: job.runId,
          });
          await this.releaseAfterError(job).catch(() => undefined);
          next = undefined;
        } finally {
          this.working.delete(job.id);
        }
        if (!this.running) break;
      }
    })().finally(() => {
      this.inFlight--;
      this.active.delete(task);
      this.wake();
    });
    this.active.add(task);
  }

  /** An unexpected failure while handling a job (e.g. the database went away): let it be retried later. */
  private async releaseAfterError(job: JobRow): Promise<void> {
    await this.store.db
      .update(jobs)
      .set({
        leaseOwner: null,
        leaseExpires: null,
        dueAt: new Date(Date.now() + Math.max(1000, this.pollMs)),
      })
      .where(and(eq(jobs.id, job.id), eq(jobs.leaseOwner, this.workerId)));
  }

  private async claim(limit: number): Promise<JobRow[]> {
    const now = new Date();
    const due = and(
      lte(jobs.dueAt, now),
      or(isNull(jobs.leaseOwner), lt(jobs.leaseExpires, now)),
      this.working.size > 0 ? notInArray(jobs.id, [...this.working]) : undefined,
    );
    if (!this.registry.hasConcurrencyLimits()) {
      // No registered function limits concurrency: claim in one statement, without the counting below.
      const ids = this.store.db
        .select({ id: jobs.id })
        .from(jobs)
        .where(due)
        .orderBy(jobs.dueAt, jobs.id)
        .limit(limit)
        .for("update", { skipLocked: true });
      return this.store.db
        .update(jobs)
        .set({ leaseOwner: this.workerId, leaseExpires: new Date(now.getTime() + this.leaseMs) })
        .where(inArray(jobs.id, ids))
        .returning();
    }
    return this.store.tx(async (tx) => {
      // Serialise claimers so that the concurrency counts below are exact across processes.
      if (!this.store.isPglite)
        await tx.execute(sql`select pg_advisory_xact_lock(${ADVISORY_LOCK})`);
      const candidates = await tx
        .select()
        .from(jobs)
        .where(due)
        .orderBy(jobs.dueAt, jobs.id)
        .limit(limit * 4 + 16)
        .for("update", { skipLocked: true });
      if (candidates.length === 0) return [];
      const limited = candidates.some((job) => (job.concurrency as unknown[]).length > 0);
      const counts = new Map<string, number>();
      if (limited) {
        const activeRows = await tx
          .select({ concurrency: jobs.concurrency })
          .from(jobs)
          .where(
            and(
              eq(jobs.kind, "call"),
              sql`${jobs.leaseExpires} > ${now}`,
              ne(jobs.concurrency, sql`'[]'::jsonb`),
            ),
          );
        for (const row of activeRows) {
          for (const { key } of row.concurrency as { key: string }[])
            counts.set(key, (counts.get(key) ?? 0) + 1);
        }
      }
      const picked: number[] = [];
      for (const job of candidates) {
        if (picked.length >= limit) break;
        const keys = job.concurrency as { key: string; limit: number }[];
        if (keys.some(({ key, limit: max }) => (counts.get(key) ?? 0) >= max)) continue;
        for (const { key } of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
        picked.push(job.id);
      }
      if (picked.length === 0) return [];
      return tx
        .update(jobs)
        .set({ leaseOwner: this.workerId, leaseExpires: new Date(Date.now() + this.leaseMs) })
        .where(inArray(jobs.id, picked))
        .returning();
    });
  }

  /** Deletes the job if this worker still holds it; false means another worker took it over (or the run ended). */
  private async takeOwnership(tx: Tx, job: JobRow): Promise<boolean> {
    const rows = await tx
      .delete(jobs)
      .where(and(eq(jobs.id, job.id), eq(jobs.leaseOwner, this.workerId)))
      .returning({ id: jobs.id });
    return rows.length > 0;
  }

  /** Handles one job; may return the next job of the same run, already leased to this worker. */
  private async handle(job: JobRow, known?: Known): Promise<Next | undefined> {
    switch (job.kind) {
      case "call":
        return this.handleCall(job, known);
      case "sleep":
      case "wait-timeout":
      case "invoke-timeout":
        await this.store.tx(async (tx) => {
          if (!(await this.takeOwnership(tx, job)) || !job.runId) return;
          if (job.kind === "wait-timeout") {
            const removed = await tx
              .delete(waits)
              .where(
                and(
                  eq(waits.runId, job.runId),
                  eq(waits.stepId, job.stepId),
                  eq(waits.kind, "event"),
                ),
              )
              .returning({ id: waits.id });
            if (removed.length === 0) return;
          }
          const result: MemoEntry =
            job.kind === "invoke-timeout"
              ? {
                  error: {
                    name: "InngestInvokeTimeoutError",
                    message: "Timed out waiting for the invoked function to complete",
                  },
                }
              : { data: null };
          await this.resolveStep(tx, job.runId, job.stepId, result);
        });
        this.wake();
        return undefined;
      case "cron":
        await this.handleCron(job);
        return undefined;
    }
  }

  private async handleCron(job: JobRow): Promise<void> {
    const cron = cronOfJob(job);
    await this.store.tx(async (tx) => {
      if (!(await this.takeOwnership(tx, job))) return;
      const fn = this.registry.get(job.stepId);
      if (!fn || !fn.config.triggers.some((t) => "cron" in t && t.cron === cron)) return;
      const now = new Date();
      const event = await insertTimerEvent(tx, cron, now);
      await this.createRun(tx, fn, event);
      await scheduleNextCronTick(tx, job, cron, now, this.leaseMs);
    });
    this.wake();
  }

  private heartbeat(job: JobRow): () => void {
    return startLeaseHeartbeat(this.store.db, job.id, {
      workerId: this.workerId,
      leaseMs: this.leaseMs,
      onError: (error) => this.log("warn", "lease heartbeat failed", { error: error.message }),
    });
  }

  private async handleCall(job: JobRow, known?: Known): Promise<Next | undefined> {
    const runId = job.runId ?? "";
    const run =
      known?.run ?? (await this.store.db.select().from(runs).where(eq(runs.id, runId)).limit(1))[0];
    if (!run || run.status !== "running") {
      await this.store.tx((tx) => this.takeOwnership(tx, job));
      return undefined;
    }
    const fn = this.registry.get(run.functionId);
    if (!fn) {
      await this.store.tx(async (tx) => {
        if (!(await this.takeOwnership(tx, job))) return;
        await this.finishRun(tx, run, {
          status: "failed",
          error: {
            name: "FunctionNotFoundError",
            message: `function "${run.functionId}" is not registered with the executor`,
          },
        });
      });
      return undefined;
    }
    let memo: Record<string, MemoEntry>;
    let stack: string[];
    if (known) {
      ({ memo, stack } = known);
    } else {
      const memoRows = await this.store.db
        .select({ id: steps.id, data: steps.data, error: steps.error })
        .from(steps)
        .where(and(eq(steps.runId, runId), eq(steps.hasResult, true)))
        .orderBy(steps.endedAt, steps.id);
      memo = {};
      for (const row of memoRows)
        memo[row.id] = row.error !== null ? { error: row.error } : { data: row.data };
      stack = memoRows.map((row) => row.id);
    }

    if (job.stepId !== "step" && job.stepId in memo) {
      // The planned step already has a result (e.g. a duplicate job): just let the run continue.
      await this.store.tx(async (tx) => {
        if (await this.takeOwnership(tx, job)) await this.scheduleDiscovery(tx, run);
      });
      this.wake();
      return undefined;
    }

    // Only a discovery request with immediate execution allowed can checkpoint (InngestFunction.shouldAsyncCheckpoint).
    const checkpointing = this.checkpointing && job.stepId === "step" && !run.disableImmediate;
    const body: RunRequestBody = {
      event: run.event as StoredEvent,
      events: [run.event as StoredEvent],
      steps: memo,
      ctx: {
        run_id: run.id,
        attempt: job.attempt,
        max_attempts: run.maxAttempts,
        disable_immediate_execution: run.disableImmediate,
        use_api: false,
        stack: { stack, current: Math.max(0, stack.length - 1) },
        ...(checkpointing ? { fn_id: fn.id, qi_id: `${job.id}@${this.workerId}` } : {}),
      },
      version: 2,
    };
    const url = new URL(fn.url);
    url.searchParams.set("fnId", fn.id);
    url.searchParams.set("stepId", job.stepId);
    const startedAt = new Date();
    const stopHeartbeat = this.heartbeat(job);
    let response: HttpAnswer;
    try {
      const res = await this.transport(
        new Request(url, {
          method: "POST",
          // In-process handlers (inngest/edge) build their URL from the Host header, as a server would.
          headers: {
            "content-type": "application/json",
            "x-inngest-req-version": "2",
            host: url.host,
          },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(this.requestTimeoutMs),
        }),
      );
      response = { status: res.status, headers: res.headers, body: jsonParse(await res.text()) };
    } catch (error) {
      response = {
        failure: `request to ${url.origin}${url.pathname} failed: ${(error as Error).message}`,
      };
    } finally {
      stopHeartbeat();
    }

    // Owning the job proves the run is still running: finishing or cancelling a run deletes all its jobs.
    if (await this.fastFinish(run, job, response)) {
      this.wake();
      return undefined;
    }
    const applied =
      (await this.fastStep(run, job, response, startedAt)) ??
      (await this.store.tx(async (tx) =>
        (await this.takeOwnership(tx, job))
          ? this.applyResponse(tx, run, job, response, startedAt)
          : undefined,
      ));
    if (!applied || applied.lost) {
      this.wake();
      return undefined;
    }
    // Steps checkpointed during the request are in the database only: the next call reads the memo again.
    if (checkpointing) return { job: applied.job };
    const { id, entry } = applied.added;
    return {
      job: applied.job,
      known: { run, memo: { ...memo, [id]: entry }, stack: [...stack, id] },
    };
  }

  /**
   * POST /v1/checkpoint/:runId/async: the SDK reports steps it ran inside a request it is still serving. They
   * are written before the answer, in one statement that also proves the request is current: its job
   * (`qi_id` = job id @ worker) must still be leased to that worker, and the run must be running. 200 = stored;
   * 409 = stale (the lease was lost or the run ended): the SDK stops, and the worker ignores the request's answer.
   */
  async checkpoint(
    runId: string,
    input: unknown,
  ): Promise<{ status: 200 | 400 | 409; error?: string }> {
    await this.init();
    const parsed = CheckpointBody.safeParse(input);
    if (!parsed.success) {
      return {
        status: 400,
        error: `invalid checkpoint for run ${runId}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
      };
    }
    const at = parsed.data.qi_id.indexOf("@");
    const jobId = Number(parsed.data.qi_id.slice(0, at));
    const owner = parsed.data.qi_id.slice(at + 1);
    if (at <= 0 || !Number.isSafeInteger(jobId)) {
      return { status: 400, error: `invalid checkpoint for run ${runId}: unknown qi_id` };
    }
    const unsupported = parsed.data.steps.filter((op) => op.op !== "StepRun");
    if (unsupported.length > 0) {
      // Same outcome as the opcode arriving in a 206 answer: the run fails naming it.
      await this.store.tx(async (tx) => {
        const rows = await tx
          .delete(jobs)
          .where(and(eq(jobs.id, jobId), eq(jobs.leaseOwner, owner), eq(jobs.runId, runId)))
          .returning({ id: jobs.id });
        const run = rows.length > 0 ? await this.runRow(tx, runId) : undefined;
        if (!run || run.status !== "running") return;
        await this.finishRun(tx, run, {
          status: "failed",
          error: {
            name: "UnsupportedOpcodeError",
            message: `the Runnel executor does not support opcode ${[...new Set(unsupported.map((op) => op.op))].join(", ")} (step ${unsupported.map((op) => op.displayName ?? op.id).join(", ")})`,
          },
        });
      });
      this.wake();
      return { status: 409, error: `run ${runId} failed: unsupported opcode in checkpoint` };
    }
    const list = parsed.data.steps.map((op) => ({
      id: op.id,
      name: op.name ?? null,
      displayName: op.displayName ?? null,
      data: op.data ?? null,
    }));
    const leaseExpires = new Date(Date.now() + this.leaseMs).toISOString();
    const result = await this.store.db.execute(sql`
      with owned as (
        update runnel_executor.jobs set lease_expires = ${leaseExpires}::timestamptz
        where id = ${jobId} and lease_owner = ${owner} and run_id = ${runId}
          and exists (select 1 from runnel_executor.runs where id = ${runId} and status = 'running')
        returning attempt
      ), saved as (
        insert into runnel_executor.steps (run_id, id, op, name, display_name, status, has_result, data, attempts, created_at, started_at, ended_at)
        select ${runId}, s.value->>'id', 'StepRun', s.value->>'name', s.value->>'displayName', 'completed', true,
               coalesce(s.value->'data', 'null'::jsonb), owned.attempt + 1, clock_timestamp(), clock_timestamp(), clock_timestamp()
        from owned, jsonb_array_elements(${JSON.stringify(list)}::jsonb) with ordinality as s(value, n)
        order by s.n
        on conflict (run_id, id) do update set status = 'completed', has_result = true, data = excluded.data, error = null,
          attempts = excluded.attempts, ended_at = excluded.ended_at
          where runnel_executor.steps.has_result = false
        returning id
      )
      select count(*)::int as owned from owned`);
    const [row] = (result as { rows: { owned: number }[] }).rows;
    if (!row || row.owned === 0) {
      return {
        status: 409,
        error: `run ${runId}: the request is no longer current (lease lost or run ended)`,
      };
    }
    return { status: 200 };
  }

  private async runRow(tx: Tx, runId: string): Promise<RunRow | undefined> {
    const rows = await tx.select().from(runs).where(eq(runs.id, runId)).limit(1);
    return rows[0];
  }

  /**
   * The common case in one statement: a run without parallel steps ran one step (StepRun). Deleting the
   * leased job, recording the result and leasing the run's next call to this worker happen atomically,
   * exactly as the transaction in applyOps would do them, in one round trip.
   */
  private async fastStep(
    run: RunRow,
    job: JobRow,
    response: HttpAnswer,
    startedAt: Date,
  ): Promise<Continue | undefined> {
    if (run.disableImmediate || !this.running || "failure" in response || response.status !== 206)
      return undefined;
    const ops = OpsResponse.safeParse(response.body);
    const op = ops.success && ops.data.length === 1 ? ops.data[0] : undefined;
    if (!op || op.op !== "StepRun") return undefined;
    const now = new Date();
    const data = JSON.stringify(op.data ?? null);
    const key = `call:${run.id}:step`;
    const leaseExpires = new Date(now.getTime() + this.leaseMs);
    const concurrency = JSON.stringify(run.concurrency);
    const result = await this.store.db.execute(sql`
      with owned as (
        delete from runnel_executor.jobs where id = ${job.id} and lease_owner = ${this.workerId} returning id
      ), saved as (
        insert into runnel_executor.steps (run_id, id, op, name, display_name, status, has_result, data, attempts, started_at, ended_at)
        select ${run.id}, ${op.id}, 'StepRun', ${op.name ?? null}, ${op.displayName ?? null}, 'completed', true, ${data}::jsonb,
               ${job.attempt + 1}, ${startedAt.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz
        from owned
        on conflict (run_id, id) do update set status = 'completed', has_result = true, data = excluded.data, error = null,
          attempts = excluded.attempts, ended_at = excluded.ended_at
          where runnel_executor.steps.has_result = false
        returning id
      )
      insert into runnel_executor.jobs (key, kind, run_id, step_id, attempt, due_at, lease_owner, lease_expires, concurrency)
      select ${key}, 'call', ${run.id}, 'step', 0, ${now.toISOString()}::timestamptz, ${this.workerId},
             ${leaseExpires.toISOString()}::timestamptz, ${concurrency}::jsonb
      from saved
      returning id`);
    const [row] = (result as { rows: { id: number | string | bigint }[] }).rows;
    if (!row)
      return {
        job: { ...job, id: -1 },
        added: { id: op.id, entry: { data: op.data ?? null } },
        lost: true,
      };
    return {
      job: {
        id: Number(row.id),
        key,
        kind: "call",
        runId: run.id,
        stepId: "step",
        attempt: 0,
        dueAt: now,
        leaseOwner: this.workerId,
        leaseExpires,
        concurrency: run.concurrency,
        payload: null,
      },
      added: { id: op.id, entry: { data: op.data ?? null } },
    };
  }

  /**
   * A run without a parent whose end nobody listens for completed: release the job, store the output and
   * clear the run's remaining work in one statement (what finishRun does in that case).
   */
  private async fastFinish(run: RunRow, job: JobRow, response: HttpAnswer): Promise<boolean> {
    if ("failure" in response) return false;
    if (run.parentRunId || this.isListenedTo(internalEvents.finished)) return false;
    let result: unknown;
    if (response.status === 200) result = response.body;
    else if (response.status === 206) {
      // A checkpointing request ends with RunComplete once every step was checkpointed.
      const ops = OpsResponse.safeParse(response.body);
      const op = ops.success && ops.data.length === 1 ? ops.data[0] : undefined;
      if (op?.op !== "RunComplete") return false;
      result = op.data;
    } else return false;
    const output = JSON.stringify(result ?? null);
    await this.store.db.execute(sql`
      with owned as (
        delete from runnel_executor.jobs where id = ${job.id} and lease_owner = ${this.workerId} returning id
      ), finished as (
        update runnel_executor.runs set status = 'completed', output = ${output}::jsonb, error = null,
          ended_at = ${new Date().toISOString()}::timestamptz
        where id = ${run.id} and status = 'running' and exists (select 1 from owned)
        returning id
      ), other_jobs as (
        delete from runnel_executor.jobs where run_id in (select id from finished) and id <> ${job.id}
      )
      delete from runnel_executor.waits where run_id in (select id from finished)`);
    return true;
  }

  private async applyResponse(
    tx: Tx,
    run: RunRow,
    job: JobRow,
    response: HttpAnswer,
    startedAt: Date,
  ): Promise<Continue | undefined> {
    if ("failure" in response) {
      return this.retryOrFail(
        tx,
        run,
        job,
        { name: "Error", message: response.failure },
        undefined,
      );
    }
    const { status, headers, body } = response;
    if (status === 200) {
      await this.finishRun(tx, run, { status: "completed", output: body ?? null });
      return undefined;
    }
    if (status === 206) {
      const ops = OpsResponse.safeParse(body);
      if (!ops.success) {
        await this.finishRun(tx, run, {
          status: "failed",
          error: {
            name: "ProtocolError",
            message: `invalid 206 answer from the SDK: ${ops.error.message}`,
          },
        });
        return undefined;
      }
      return this.applyOps(tx, run, job, ops.data, headers, startedAt);
    }
    const error = toError(body, `the serve endpoint answered HTTP ${status}`);
    const noRetry = headers.get("x-inngest-no-retry") === "true";
    if (noRetry) {
      await this.finishRun(tx, run, { status: "failed", error });
      return undefined;
    }
    return this.retryOrFail(tx, run, job, error, headers.get("retry-after"));
  }

  private async retryOrFail(
    tx: Tx,
    run: RunRow,
    job: JobRow,
    error: ErrorShape,
    retryAfter: string | null | undefined,
  ): Promise<undefined> {
    if (job.attempt + 1 >= run.maxAttempts) {
      await this.finishRun(tx, run, { status: "failed", error });
      return undefined;
    }
    const now = Date.now();
    const delay = retryAfterDelay(retryAfter, now) ?? backoffDelay(job.attempt, this.backoff);
    await tx.update(runs).set({ error }).where(eq(runs.id, run.id));
    await this.insertJob(tx, {
      key: job.key,
      kind: "call",
      runId: run.id,
      stepId: job.stepId,
      dueAt: new Date(now + delay),
      attempt: job.attempt + 1,
      concurrency: run.concurrency,
    });
    return undefined;
  }

  private async applyOps(
    tx: Tx,
    run: RunRow,
    job: JobRow,
    ops: OutgoingOp[],
    headers: Headers,
    startedAt: Date,
  ): Promise<Continue | undefined> {
    const unsupported = ops.filter(
      (op) => !(supportedOpcodes as readonly string[]).includes(op.op),
    );
    if (unsupported.length > 0) {
      const names = [...new Set(unsupported.map((op) => op.op))].join(", ");
      await this.finishRun(tx, run, {
        status: "failed",
        error: {
          name: "UnsupportedOpcodeError",
          message: `the Runnel executor does not support opcode ${names} (step ${unsupported.map((op) => op.displayName ?? op.id).join(", ")})`,
        },
      });
      return undefined;
    }
    const single = ops.length === 1 ? ops[0] : undefined;
    if (single?.op === "StepError") {
      const error = toError(single.error, "step failed");
      if (job.attempt + 1 < run.maxAttempts) {
        const now = Date.now();
        const delay =
          retryAfterDelay(headers.get("retry-after"), now) ??
          backoffDelay(job.attempt, this.backoff);
        await tx
          .insert(steps)
          .values({
            runId: run.id,
            id: single.id,
            op: "StepRun",
            name: single.name ?? null,
            displayName: single.displayName ?? null,
            status: "retrying",
            error,
            attempts: job.attempt + 1,
            startedAt,
          })
          .onConflictDoUpdate({
            target: [steps.runId, steps.id],
            set: { status: "retrying", error, attempts: job.attempt + 1 },
            setWhere: eq(steps.hasResult, false),
          });
        await this.insertJob(tx, {
          key: job.key,
          kind: "call",
          runId: run.id,
          stepId: job.stepId,
          dueAt: new Date(now + delay),
          attempt: job.attempt + 1,
          concurrency: run.concurrency,
        });
        return undefined;
      }
    }

    let progressed = false;
    let sequentialNext = false;
    let added: { id: string; entry: MemoEntry } | undefined;
    // Several steps found at once (parallel): from now on each runs in its own request. Steps that already ran
    // (StepRun, returned with RunComplete or after a failed checkpoint) do not count.
    const found = ops.filter((op) => op.op !== "StepRun" && op.op !== "RunComplete");
    if (found.length > 1 && !run.disableImmediate) {
      await tx.update(runs).set({ disableImmediate: true }).where(eq(runs.id, run.id));
      run = { ...run, disableImmediate: true };
    }
    for (const op of ops) {
      const meta = { id: op.id, name: op.name, displayName: op.displayName };
      switch (op.op) {
        case "RunComplete":
          await this.finishRun(tx, run, { status: "completed", output: op.data ?? null });
          return undefined;
        case "StepRun": {
          const entry = { data: op.data ?? null };
          if (
            await this.saveResult(
              tx,
              run.id,
              { ...meta, op: "StepRun", status: "completed", attempts: job.attempt + 1, startedAt },
              entry,
            )
          ) {
            progressed = true;
            added = { id: op.id, entry };
          }
          break;
        }
        case "StepError":
        case "StepFailed": {
          const entry = { error: toError(op.error, "step failed") };
          if (
            await this.saveResult(
              tx,
              run.id,
              { ...meta, op: "StepRun", status: "failed", attempts: job.attempt + 1, startedAt },
              entry,
            )
          ) {
            progressed = true;
            added = { id: op.id, entry };
          }
          break;
        }
        case "StepPlanned": {
          const created = await planStep(tx, run.id, op, "planned");
          if (created) {
            await this.insertJob(tx, {
              key: `call:${run.id}:${op.id}`,
              kind: "call",
              runId: run.id,
              stepId: op.id,
              dueAt: new Date(),
              concurrency: run.concurrency,
            });
          }
          break;
        }
        case "Sleep": {
          const until = sleepUntil(op.name ?? "", new Date());
          if (!until) {
            await this.finishRun(tx, run, {
              status: "failed",
              error: {
                name: "ProtocolError",
                message: `step "${op.displayName ?? op.id}": cannot read sleep duration ${JSON.stringify(op.name)}`,
              },
            });
            return undefined;
          }
          if (await planStep(tx, run.id, op, "sleeping")) {
            await this.insertJob(tx, {
              key: `sleep:${run.id}:${op.id}`,
              kind: "sleep",
              runId: run.id,
              stepId: op.id,
              dueAt: until,
            });
          }
          break;
        }
        case "WaitForEvent": {
          const opts = WaitForEventOpts.safeParse(op.opts ?? {});
          const timeout = opts.success ? parseDuration(opts.data.timeout) : undefined;
          if (!opts.success || timeout === undefined || !op.name) {
            await this.finishRun(tx, run, {
              status: "failed",
              error: {
                name: "ProtocolError",
                message: `step "${op.displayName ?? op.id}": invalid waitForEvent options ${JSON.stringify(op.opts)}`,
              },
            });
            return undefined;
          }
          if (await planStep(tx, run.id, op, "waiting")) {
            const expiresAt = new Date(Date.now() + timeout);
            await tx.insert(waits).values({
              runId: run.id,
              kind: "event",
              stepId: op.id,
              eventName: op.name,
              expression: opts.data.if ?? null,
              expiresAt,
            });
            this.waitedEventNames.add(op.name);
            await this.insertJob(tx, {
              key: `wait-timeout:${run.id}:${op.id}`,
              kind: "wait-timeout",
              runId: run.id,
              stepId: op.id,
              dueAt: expiresAt,
            });
          }
          break;
        }
        case "InvokeFunction": {
          const opts = InvokeOpts.safeParse(op.opts ?? {});
          if (!opts.success) {
            await this.finishRun(tx, run, {
              status: "failed",
              error: {
                name: "ProtocolError",
                message: `step "${op.displayName ?? op.id}": invalid invoke options: ${opts.error.message}`,
              },
            });
            return undefined;
          }
          if (!(await planStep(tx, run.id, op, "invoking"))) break;
          const target = this.registry.get(opts.data.function_id);
          if (!target) {
            await this.saveResult(
              tx,
              run.id,
              { ...meta, op: "InvokeFunction", status: "failed" },
              {
                error: {
                  name: "Error",
                  message: `invoked function "${opts.data.function_id}" is not registered with the executor`,
                },
              },
            );
            progressed = true;
            break;
          }
          const data = opts.data.payload?.data;
          const event: StoredEvent = {
            id: ulid(),
            name: internalEvents.invoked,
            data: data && typeof data === "object" ? (data as Record<string, unknown>) : {},
            ts: Date.now(),
          };
          const childId = await this.createRun(tx, target, event, { runId: run.id, stepId: op.id });
          if (!childId) {
            await this.saveResult(
              tx,
              run.id,
              { ...meta, op: "InvokeFunction", status: "failed" },
              {
                error: {
                  name: "Error",
                  message: `invoked function "${target.id}" did not start: its idempotency key was already used`,
                },
              },
            );
            progressed = true;
            break;
          }
          await tx
            .update(steps)
            .set({ opts: { ...op.opts, child_run_id: childId } })
            .where(and(eq(steps.runId, run.id), eq(steps.id, op.id)));
          const timeout = opts.data.timeout ? parseDuration(opts.data.timeout) : undefined;
          if (timeout !== undefined) {
            await this.insertJob(tx, {
              key: `invoke-timeout:${run.id}:${op.id}`,
              kind: "invoke-timeout",
              runId: run.id,
              stepId: op.id,
              dueAt: new Date(Date.now() + timeout),
            });
          }
          break;
        }
      }
      if (progressed && ops.length === 1) sequentialNext = true;
    }
    if (!progressed) return undefined;
    // A step finished: let the function discover what comes next. A run without parallel steps has no other
    // job in flight, so this worker continues it right away instead of going through the queue.
    const leaseTo =
      sequentialNext && added && !run.disableImmediate && this.running ? this.workerId : undefined;
    const nextJob = await this.scheduleDiscovery(tx, run, leaseTo);
    return leaseTo && nextJob && added ? { job: nextJob, added } : undefined;
  }
}

export class EventValidationError extends Error {
  override name = "EventValidationError";
}
