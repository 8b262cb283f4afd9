import { and, eq, isNull, lt } from "@runnel/db";

import type { ConcurrencyLimit, MemoEntry, StoredEvent } from "../protocol";
import type { JobRow, NewJob } from "../queue";
import type { RegisteredFunction } from "../registry";
import type { RunStatus, StepStatus } from "../schema";
import type { Tx } from "../store";
import type { ErrorShape } from "./errors";
import type { ExecutorResources } from "./resources";
import type { RunRow } from "./types";
import { evaluateKey } from "../cel";
import { ulid } from "../ids";
import { internalEvents } from "../internal-events";
import { defaultRetries, normaliseConcurrency, parseDuration } from "../protocol";
import { insertJob } from "../queue";
import { idempotency, jobs, runs, steps, waits } from "../schema";

/** Runs started by a batch of events, inserted together (see EventIngest.route). */
export interface RunBatch {
  runs: (typeof runs.$inferInsert)[];
  jobs: (typeof jobs.$inferInsert)[];
  /** A run with cancelOn waits was inserted: later events of the batch must query waits again. */
  waitsAdded: boolean;
}

export interface RunOutcome {
  status: Exclude<RunStatus, "running">;
  output?: unknown;
  error?: ErrorShape;
  cancelledBy?: string;
}

/** Stores the events the executor emits itself (inngest/function.finished, ...) and routes them. */
export type EmitEvents = (tx: Tx, list: StoredEvent[]) => Promise<void>;

/**
 * The life of a run: starting it (idempotency, concurrency keys, cancelOn waits, its first call), recording
 * step results, scheduling the next call, finishing and cancelling it.
 */
export class RunLifecycle {
  constructor(
    private readonly r: ExecutorResources,
    private readonly emit: EmitEvents,
  ) {}

  /** Starts a run of `fn` for `event`; with `batch` the rows are collected for one insert. */
  async createRun(
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
        const cutoff = new Date(now.getTime() - this.r.settings.dedupeWindowMs);
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
          this.r.log("debug", `run of "${fn.id}" skipped: idempotency key ${key} already used`);
          return undefined;
        }
      }
    }
    const concurrency = concurrencyKeys(fn, normaliseConcurrency(config.concurrency), event);
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

  insertJob(tx: Tx, job: NewJob, leaseTo?: string): Promise<JobRow | undefined> {
    return insertJob(tx, job, this.r.settings.leaseMs, leaseTo);
  }

  /** Records a result for a step that was waiting (sleep, wait, invoke) and schedules the run to continue. */
  async resolveStep(tx: Tx, runId: string, stepId: string, result: MemoEntry): Promise<void> {
    const row = await this.runRow(tx, runId);
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
  async saveResult(
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

  /** Schedules the run's next discovery call (leased to `leaseTo` at once when given). */
  scheduleDiscovery(tx: Tx, run: RunRow, leaseTo?: string): Promise<JobRow | undefined> {
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

  /**
   * Ends a running run: stores the outcome, drops its remaining work, resolves the parent's invoke step, and
   * emits the internal events someone listens for.
   */
  async finishRun(tx: Tx, run: RunRow, outcome: RunOutcome): Promise<void> {
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
      await this.emit(tx, [{ ...event, id: ulid(), ts: now.getTime() }]);
    }
  }

  /** Internal events are stored only when a function or a wait could use them (keeps finished runs cheap). */
  isListenedTo(name: string): boolean {
    return this.r.registry.forEvent(name).length > 0 || this.r.waitedEventNames.has(name);
  }

  async cancelRun(runId: string, reason: string): Promise<boolean> {
    const cancelled = await this.r.store.tx((tx) => this.cancelRunTx(tx, runId, reason));
    this.r.wake.wake();
    return cancelled;
  }

  async cancelRunTx(tx: Tx, runId: string, by: string): Promise<boolean> {
    const run = await this.runRow(tx, runId);
    if (!run || run.status !== "running") return false;
    await this.finishRun(tx, run, {
      status: "cancelled",
      error: { name: "FunctionCancelledError", message: `run ${runId} was cancelled (${by})` },
      cancelledBy: by,
    });
    return true;
  }

  async runRow(tx: Tx, runId: string): Promise<RunRow | undefined> {
    const rows = await tx.select().from(runs).where(eq(runs.id, runId)).limit(1);
    return rows[0];
  }
}

function concurrencyKeys(
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
