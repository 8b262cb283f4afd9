import { randomUUID } from "node:crypto";

import type { Database } from "@runnel/db";
import type { RunStatus, RunTriggerKind, StepStatus, StoredError } from "@runnel/db/schema";
import {
  and,
  asc,
  desc,
  eq,
  getTableColumns,
  isUniqueViolation,
  lt,
  pgError,
  queryRows,
  sql,
} from "@runnel/db";
import { flowVersions, runBlobs, runs, runSteps } from "@runnel/db/schema";

import type { NewRunEvent, RunEvent } from "./event-types";
import type { MeasuredValue, ValueLimits } from "./values";
import { FlowVersionNotFoundError, RunNotFoundError } from "./errors";
import { appendRunEvent, appendRunEvents } from "./events";
import {
  eventValue,
  INLINE_VALUE_LIMIT_BYTES,
  loadBlobs,
  measureValue,
  storeValue,
} from "./values";

export type Run = typeof runs.$inferSelect;
export type RunStep = typeof runSteps.$inferSelect;

export const TERMINAL_RUN_STATUSES: ReadonlySet<RunStatus> = new Set([
  "succeeded",
  "failed",
  "cancelled",
]);

/** What every write returns besides its row: the events it appended, to publish once the write has committed. */
export interface Written {
  events: RunEvent[];
}

/** Whether the run exists in the org (a cheap check that reads no values). */
export async function runExists(db: Database, orgId: string, runId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: runs.id })
    .from(runs)
    .where(and(eq(runs.id, runId), eq(runs.orgId, orgId)));
  return row !== undefined;
}

async function requireRunInOrg(db: Database, orgId: string, runId: string): Promise<void> {
  if (!(await runExists(db, orgId, runId))) throw new RunNotFoundError(runId);
}

type ValueRow = Pick<Run, "input" | "inputBlobId" | "output" | "outputBlobId">;

/** Loads the blobs behind every stored `input`/`output` of these runs and steps, in one query. */
async function blobsOf(
  db: Database,
  orgId: string,
  rows: ValueRow[],
): Promise<Map<string, unknown>> {
  return loadBlobs(
    db,
    orgId,
    rows.flatMap((row) =>
      [row.inputBlobId, row.outputBlobId].filter((id): id is string => id !== null),
    ),
  );
}

function withValues<T extends ValueRow>(row: T, blobs: Map<string, unknown>): T {
  return {
    ...row,
    input: row.inputBlobId ? blobs.get(row.inputBlobId) : row.input,
    output: row.outputBlobId ? blobs.get(row.outputBlobId) : row.output,
  };
}

async function resolveRow<T extends ValueRow>(db: Database, orgId: string, row: T): Promise<T> {
  return withValues(row, await blobsOf(db, orgId, [row]));
}

// ---------------------------------------------------------------------------------------------------------------
// Runs

export interface CreateRunInput {
  flowVersionId: string;
  triggerKind: RunTriggerKind;
  triggerInfo?: Record<string, unknown>;
  input?: unknown;
  /** Unique per org: a second create with the same key returns the first run (`created: false`). */
  idempotencyKey?: string;
  parentRunId?: string;
  rerunOfRunId?: string;
  rerunFromNodeId?: string;
  createdBy?: string;
  /** Records a start request for the runtime's dispatcher, due at this time (docs/runtime.md, "Start requests"). */
  dispatchAt?: Date;
}

export interface CreatedRun extends Written {
  run: Run;
  created: boolean;
}

async function findByIdempotencyKey(
  db: Database,
  orgId: string,
  key: string,
): Promise<Run | undefined> {
  const [row] = await db
    .select()
    .from(runs)
    .where(and(eq(runs.orgId, orgId), eq(runs.idempotencyKey, key)));
  return row ? resolveRow(db, orgId, row) : undefined;
}

/**
 * Creates a queued run of a published flow version (the flow id is taken from the version) and appends `run.queued`.
 * With an idempotency key, concurrent or repeated creates yield one run.
 */
export async function createRun(
  db: Database,
  orgId: string,
  input: CreateRunInput,
  limits: ValueLimits = {},
): Promise<CreatedRun> {
  const { idempotencyKey } = input;
  if (idempotencyKey) {
    const existing = await findByIdempotencyKey(db, orgId, idempotencyKey);
    if (existing) return { run: existing, created: false, events: [] };
  }
  try {
    return await db.transaction(async (tx) => {
      const [version] = await tx
        .select({ id: flowVersions.id, flowId: flowVersions.flowId })
        .from(flowVersions)
        .where(and(eq(flowVersions.id, input.flowVersionId), eq(flowVersions.orgId, orgId)));
      if (!version) throw new FlowVersionNotFoundError(input.flowVersionId);
      for (const related of [input.parentRunId, input.rerunOfRunId]) {
        if (related) await requireRunInOrg(tx, orgId, related);
      }
      const id = randomUUID();
      const measured = measureValue(input.input);
      const inline = measured.bytes <= (limits.inlineLimitBytes ?? INLINE_VALUE_LIMIT_BYTES);
      const [inserted] = await tx
        .insert(runs)
        .values({
          id,
          orgId,
          flowId: version.flowId,
          flowVersionId: version.id,
          triggerKind: input.triggerKind,
          triggerInfo: input.triggerInfo ?? {},
          input: inline ? measured.value : null,
          idempotencyKey: idempotencyKey ?? null,
          parentRunId: input.parentRunId ?? null,
          rerunOfRunId: input.rerunOfRunId ?? null,
          rerunFromNodeId: input.rerunFromNodeId ?? null,
          createdBy: input.createdBy ?? null,
          dispatchAt: input.dispatchAt ?? null,
        })
        .returning();
      if (!inserted) throw new Error(`Creating a run of version ${version.id} returned no row`);
      let run: Run = inserted;
      if (!inline) {
        // A blob row references its run, so a large input is stored after the run row exists.
        const stored = await storeValue(tx, orgId, id, measured.value, limits);
        const [updated] = await tx
          .update(runs)
          .set({ inputBlobId: stored.blobId })
          .where(eq(runs.id, id))
          .returning();
        if (!updated) throw new Error(`Run ${id} vanished while it was being created`);
        run = updated;
      }
      const { event } = await appendRunEvent(tx, orgId, {
        runId: id,
        type: "run.queued",
        payload: {
          triggerKind: input.triggerKind,
          flowVersionId: version.id,
          input: eventValue(measured),
        },
      });
      return {
        run: { ...run, input: measured.value, eventSeq: event.seq },
        created: true,
        events: [event],
      };
    });
  } catch (error) {
    if (idempotencyKey && isUniqueViolation(error, "runs_org_idempotency_uq")) {
      const existing = await findByIdempotencyKey(db, orgId, idempotencyKey);
      if (existing) return { run: existing, created: false, events: [] };
    }
    throw error;
  }
}

/** A run with its input and output resolved, or undefined when it is not in the org. */
export async function getRun(db: Database, orgId: string, runId: string): Promise<Run | undefined> {
  const [row] = await db
    .select()
    .from(runs)
    .where(and(eq(runs.id, runId), eq(runs.orgId, orgId)));
  return row ? resolveRow(db, orgId, row) : undefined;
}

export interface ListRunsOptions {
  flowId?: string;
  status?: RunStatus;
  /** Keyset cursor: runs created strictly before this instant. */
  before?: Date;
  /** Default 50, at most 500. */
  limit?: number;
}

/** Newest first. Rows as stored: a value kept as a blob has `input`/`output` null and its blob id set. */
export async function listRuns(
  db: Database,
  orgId: string,
  options: ListRunsOptions = {},
): Promise<Run[]> {
  const conditions = [eq(runs.orgId, orgId)];
  if (options.flowId) conditions.push(eq(runs.flowId, options.flowId));
  if (options.status) conditions.push(eq(runs.status, options.status));
  if (options.before) conditions.push(lt(runs.createdAt, options.before));
  return db
    .select()
    .from(runs)
    .where(and(...conditions))
    .orderBy(desc(runs.createdAt), desc(runs.id))
    .limit(Math.min(Math.max(options.limit ?? 50, 1), 500));
}

export interface RunStatusDetails {
  /** With `succeeded`: the run's output. */
  output?: unknown;
  /** With `failed`: what failed. */
  error?: StoredError;
  failedNodeId?: string;
  /** With `waiting` or `cancelled`: why, for the event. */
  reason?: string;
}

export interface RunStatusChange extends Written {
  run: Run;
  /** False when the run already had this status or had finished (a finished run never changes). */
  changed: boolean;
}

/** A run is `queued` only when created; these are the statuses it can move to. */
export type RunStatusTarget = Exclude<RunStatus, "queued">;

function statusEvent(
  runId: string,
  status: RunStatusTarget,
  previous: RunStatus,
  details: RunStatusDetails,
  updated: Pick<Run, "error" | "failedNodeId">,
  output: MeasuredValue | undefined,
): NewRunEvent {
  const reason = details.reason ? { reason: details.reason } : {};
  switch (status) {
    case "running":
      return { runId, type: "run.running", payload: { previous } };
    case "waiting":
      return { runId, type: "run.waiting", payload: { previous, ...reason } };
    case "succeeded":
      return {
        runId,
        type: "run.succeeded",
        payload: { previous, output: eventValue(output ?? measureValue(null)) },
      };
    case "failed":
      return {
        runId,
        type: "run.failed",
        payload: {
          previous,
          error: updated.error ?? { message: "The run failed" },
          failedNodeId: updated.failedNodeId,
        },
      };
    case "cancelled":
      return { runId, type: "run.cancelled", payload: { previous, ...reason } };
  }
}

/**
 * Moves a run to a new status and appends `run.<status>`. Terminal statuses (succeeded, failed, cancelled) are
 * final: a later change is a no-op reported as `changed: false`, as is setting the status the run already has, so
 * replayed steps and late cancels are harmless. `started_at` is set on the first `running`, `finished_at` on the
 * terminal status.
 */
export async function markRunStatus(
  db: Database,
  orgId: string,
  runId: string,
  status: RunStatusTarget,
  details: RunStatusDetails = {},
  limits: ValueLimits = {},
): Promise<RunStatusChange> {
  const output = status === "succeeded" ? measureValue(details.output) : undefined;
  // An output stored as a blob is written first, in the same transaction (over 256 KB: rare).
  if (output && output.bytes > (limits.inlineLimitBytes ?? INLINE_VALUE_LIMIT_BYTES))
    return markRunStatusStepwise(db, orgId, runId, status, details, limits);
  const change = await changeRunStatus(db, orgId, runId, status, details, output);
  if (change) return change;
  // Unchanged: the run had finished or already had this status (or is not in the org).
  const [current] = await db
    .select()
    .from(runs)
    .where(and(eq(runs.id, runId), eq(runs.orgId, orgId)));
  if (!current) throw new RunNotFoundError(runId);
  return { run: await resolveRow(db, orgId, current), changed: false, events: [] };
}

const RUN_COLUMNS = Object.entries(getTableColumns(runs));

/** A `runs` row as `row_to_json` gives it (snake_case keys, timestamps as ISO text) in drizzle's shape. */
function runFromJson(json: Record<string, unknown>): Run {
  const run: Record<string, unknown> = {};
  for (const [key, column] of RUN_COLUMNS) {
    const value = json[column.name] ?? null;
    run[key] =
      value !== null && column.columnType === "PgTimestamp" ? new Date(value as string) : value;
  }
  return run as Run;
}

const jsonOrNull = (measured: MeasuredValue) =>
  measured.value === null ? sql`null` : sql`${measured.json}::jsonb`;

/**
 * The status change and its event in one statement (no transaction of its own): the run row is locked, changed
 * when it is unfinished and has another status, and the event takes the next sequence number from the same
 * update. Undefined when nothing changed.
 */
async function changeRunStatus(
  db: Database,
  orgId: string,
  runId: string,
  status: RunStatusTarget,
  details: RunStatusDetails,
  output: MeasuredValue | undefined,
): Promise<RunStatusChange | undefined> {
  const terminal = TERMINAL_RUN_STATUSES.has(status);
  const error = details.error ?? { message: "The run failed" };
  const failedNodeId = details.failedNodeId ?? null;
  const sets = [
    sql`status = ${status}`,
    sql`updated_at = now()`,
    sql`event_seq = runs.event_seq + 1`,
    ...(status === "running" ? [sql`started_at = coalesce(runs.started_at, now())`] : []),
    ...(terminal ? [sql`finished_at = now()`] : []),
    ...(output ? [sql`output = ${jsonOrNull(output)}`, sql`output_blob_id = null`] : []),
    ...(status === "failed"
      ? [sql`error = ${JSON.stringify(error)}::jsonb`, sql`failed_node_id = ${failedNodeId}`]
      : []),
  ];
  // The previous status is only known inside the statement: the payload's `previous` is set there.
  const event = statusEvent(runId, status, "queued", details, { error, failedNodeId }, output);
  const extra: Record<string, unknown> = { ...event.payload };
  delete extra.previous;
  const [row] = await queryRows<{ run: Record<string, unknown>; created_ms: number }>(
    db,
    sql`with prev as (
          select id, status from runs where id = ${runId} and org_id = ${orgId} for update
        ), upd as (
          update runs set ${sql.join(sets, sql`, `)}
          from prev
          where runs.id = prev.id and prev.status not in ('succeeded', 'failed', 'cancelled')
            and prev.status <> ${status}
          returning runs.*, prev.status as previous
        ), ev as (
          insert into run_events ("run_id", "seq", "org_id", "type", "node_id", "payload", "dedupe_key")
          select upd.id, upd.event_seq, upd.org_id, ${event.type}, null,
                 jsonb_build_object('previous', upd.previous) || ${JSON.stringify(extra)}::jsonb, null
          from upd
          returning (extract(epoch from "created_at") * 1000)::float8 as created_ms
        )
        select row_to_json(upd) as run, (select created_ms from ev) as created_ms from upd`,
  );
  if (!row) return undefined;
  const updated = runFromJson(row.run);
  const appended = {
    runId,
    orgId,
    seq: updated.eventSeq,
    type: event.type,
    nodeId: null,
    payload: { ...event.payload, previous: row.run.previous },
    createdAt: new Date(row.created_ms),
  } as RunEvent;
  const run = output ? { ...updated, output: output.value } : updated;
  return { run, changed: true, events: [appended] };
}

/** markRunStatus in a transaction of several statements: for an output stored as a blob. */
async function markRunStatusStepwise(
  db: Database,
  orgId: string,
  runId: string,
  status: RunStatusTarget,
  details: RunStatusDetails,
  limits: ValueLimits,
): Promise<RunStatusChange> {
  const result = await db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(runs)
      .where(and(eq(runs.id, runId), eq(runs.orgId, orgId)))
      .for("update");
    if (!current) throw new RunNotFoundError(runId);
    if (TERMINAL_RUN_STATUSES.has(current.status) || current.status === status) {
      return { run: current, changed: false, events: [] };
    }
    const previous = current.status;
    const output =
      status === "succeeded"
        ? await storeValue(tx, orgId, runId, details.output, limits)
        : undefined;
    const terminal = TERMINAL_RUN_STATUSES.has(status);
    const [updated] = await tx
      .update(runs)
      .set({
        status,
        updatedAt: sql`now()`,
        ...(status === "running" ? { startedAt: sql`coalesce(${runs.startedAt}, now())` } : {}),
        ...(terminal ? { finishedAt: sql`now()` } : {}),
        ...(output ? { output: output.inline, outputBlobId: output.blobId } : {}),
        ...(status === "failed"
          ? {
              error: details.error ?? { message: "The run failed" },
              failedNodeId: details.failedNodeId ?? null,
            }
          : {}),
      })
      .where(eq(runs.id, runId))
      .returning();
    if (!updated) throw new RunNotFoundError(runId);
    const { event } = await appendRunEvent(
      tx,
      orgId,
      statusEvent(
        runId,
        status,
        previous,
        details,
        updated,
        output?.measured ?? measureValue(null),
      ),
    );
    const run = output ? { ...updated, output: output.measured.value } : updated;
    return { run, changed: true, events: [event] };
  });
  return result.changed ? result : { ...result, run: await resolveRow(db, orgId, result.run) };
}

// ---------------------------------------------------------------------------------------------------------------
// Steps

export interface StepKey {
  runId: string;
  nodeId: string;
  /** The executor's attempt number for this step, 0 first. */
  attempt: number;
}

export interface StepChange extends Written {
  step: RunStep;
}

type StepWrite = StepKey & {
  status: StepStatus;
  input?: { value: unknown };
  output?: { value: unknown };
  error?: StoredError | null;
  tokensIn?: number;
  tokensOut?: number;
  costUsd?: number;
  port?: string | null;
  reusedFromRunId?: string | null;
  started?: boolean;
  /** With `started`: the attempt began this long before the transaction (its start is recorded late). */
  startedMsAgo?: number;
  finished?: boolean;
};

/** True when `error` is the composite foreign key to the run failing: the run is not in this org. */
function isMissingRun(error: unknown): boolean {
  const info = pgError(error);
  return (
    info?.code === "23503" && (info.constraint === undefined || info.constraint.endsWith("_run_fk"))
  );
}

/**
 * Inserts or updates the (run, node, attempt) row in place; the upsert holds that row's lock until commit, which
 * serialises replays of one attempt. A blob the write replaces is deleted (a replay that stores a large value again).
 */
async function writeStep(
  tx: Database,
  orgId: string,
  write: StepWrite,
  limits: ValueLimits,
): Promise<{ step: RunStep; input?: MeasuredValue; output?: MeasuredValue }> {
  try {
    const input = write.input
      ? await storeValue(tx, orgId, write.runId, write.input.value, limits)
      : undefined;
    const output = write.output
      ? await storeValue(tx, orgId, write.runId, write.output.value, limits)
      : undefined;
    const replaced = [
      input?.blobId ? sql`${runSteps.inputBlobId}` : undefined,
      output?.blobId ? sql`${runSteps.outputBlobId}` : undefined,
    ].filter((column) => column !== undefined);
    if (replaced.length > 0) {
      await tx.execute(
        sql`delete from ${runBlobs} where ${runBlobs.orgId} = ${orgId} and ${runBlobs.id} in (
              select unnest(array[${sql.join(replaced, sql`, `)}]) from ${runSteps}
              where ${runSteps.runId} = ${write.runId} and ${runSteps.nodeId} = ${write.nodeId}
                and ${runSteps.attempt} = ${write.attempt})`,
      );
    }
    const startedAt =
      write.startedMsAgo === undefined
        ? sql`now()`
        : sql`now() - ${write.startedMsAgo}::double precision * interval '1 millisecond'`;
    const fields = {
      status: write.status,
      updatedAt: sql`now()`,
      ...(input ? { input: input.inline, inputBlobId: input.blobId } : {}),
      ...(output ? { output: output.inline, outputBlobId: output.blobId } : {}),
      ...(write.error !== undefined ? { error: write.error } : {}),
      ...(write.tokensIn !== undefined ? { tokensIn: write.tokensIn } : {}),
      ...(write.tokensOut !== undefined ? { tokensOut: write.tokensOut } : {}),
      ...(write.costUsd !== undefined ? { costUsd: write.costUsd } : {}),
      ...(write.port !== undefined ? { port: write.port } : {}),
      ...(write.reusedFromRunId !== undefined ? { reusedFromRunId: write.reusedFromRunId } : {}),
      ...(write.started ? { startedAt: sql`coalesce(${runSteps.startedAt}, ${startedAt})` } : {}),
      ...(write.finished ? { finishedAt: sql`now()` } : {}),
    };
    const [step] = await tx
      .insert(runSteps)
      .values({
        runId: write.runId,
        orgId,
        nodeId: write.nodeId,
        attempt: write.attempt,
        status: write.status,
        input: input?.inline ?? null,
        inputBlobId: input?.blobId ?? null,
        output: output?.inline ?? null,
        outputBlobId: output?.blobId ?? null,
        error: write.error ?? null,
        tokensIn: write.tokensIn ?? 0,
        tokensOut: write.tokensOut ?? 0,
        costUsd: write.costUsd ?? 0,
        port: write.port ?? null,
        reusedFromRunId: write.reusedFromRunId ?? null,
        startedAt: write.started || write.finished ? startedAt : null,
        finishedAt: write.finished ? sql`now()` : null,
      })
      .onConflictDoUpdate({
        target: [runSteps.runId, runSteps.nodeId, runSteps.attempt],
        set: fields,
        // The run id is unique across orgs, so this only guards against a foreign org reaching the row.
        setWhere: eq(runSteps.orgId, orgId),
      })
      .returning();
    if (!step) throw new RunNotFoundError(write.runId);
    const resolved = {
      ...step,
      ...(input ? { input: input.measured.value } : {}),
      ...(output ? { output: output.measured.value } : {}),
    };
    return { step: resolved, input: input?.measured, output: output?.measured };
  } catch (error) {
    if (isMissingRun(error)) throw new RunNotFoundError(write.runId);
    throw error;
  }
}

function dedupe(kind: string, key: StepKey): string {
  return `${kind}:${key.nodeId}:${key.attempt}`;
}

export interface RecordStepStartInput extends StepKey {
  input?: unknown;
}

/** Marks a node attempt running (first start time kept on replays) and appends `step.started` once. */
export async function recordStepStart(
  db: Database,
  orgId: string,
  input: RecordStepStartInput,
  limits: ValueLimits = {},
): Promise<StepChange> {
  return db.transaction((tx) => writeStepStart(tx, orgId, input, limits));
}

async function writeStepStart(
  tx: Database,
  orgId: string,
  input: RecordStepStartInput,
  limits: ValueLimits,
): Promise<StepChange> {
  const { runId, nodeId, attempt } = input;
  const written = await writeStep(
    tx,
    orgId,
    { runId, nodeId, attempt, status: "running", input: { value: input.input }, started: true },
    limits,
  );
  return { step: written.step, events: await appendStarted(tx, orgId, input, written.input) };
}

function startedEvent(key: StepKey, input: MeasuredValue | undefined): NewRunEvent {
  return {
    runId: key.runId,
    type: "step.started",
    nodeId: key.nodeId,
    payload: { attempt: key.attempt, input: eventValue(input ?? measureValue(null)) },
    dedupeKey: dedupe("step.started", key),
  };
}

async function appendStarted(
  tx: Database,
  orgId: string,
  key: StepKey,
  input: MeasuredValue | undefined,
): Promise<RunEvent[]> {
  const { event, created } = await appendRunEvent(tx, orgId, startedEvent(key, input));
  return created ? [event] : [];
}

export type RecordStepFinishInput = StepKey & {
  tokensIn?: number;
  tokensOut?: number;
  /** USD of the attempt's model calls (docs/ai.md, Usage and cost). */
  costUsd?: number;
} & (
    | {
        status: "succeeded";
        output: unknown;
        /** The output port the node fired, kept so a rerun can reuse the output on the same port. */
        port?: string;
        /** The step was not executed: its output was copied from this earlier run (rerun from a node). */
        reusedFromRunId?: string;
      }
    | { status: "failed"; error: StoredError }
  );

/**
 * Records the outcome of a node attempt (output or error, finish time, tokens), recomputes the run's token
 * totals from its steps (so a replay never counts twice) and appends `step.succeeded` / `step.failed` once.
 */
export async function recordStepFinish(
  db: Database,
  orgId: string,
  input: RecordStepFinishInput,
  limits: ValueLimits = {},
): Promise<StepChange> {
  return db.transaction((tx) => writeStepFinish(tx, orgId, input, limits));
}

/**
 * A node attempt that finished before its start was recorded (recordStepStart then recordStepFinish, in one
 * transaction): the step row and both events, `step.started` then `step.succeeded` / `step.failed`, commit together.
 * The start time is the transaction's minus `startedMsAgo`, so the duration stays what the attempt took.
 */
export async function recordStepRun(
  db: Database,
  orgId: string,
  start: RecordStepStartInput & { startedMsAgo: number },
  finish: RecordStepFinishInput,
  limits: ValueLimits = {},
): Promise<StepChange> {
  if (
    start.runId !== finish.runId ||
    start.nodeId !== finish.nodeId ||
    start.attempt !== finish.attempt
  )
    throw new Error("recordStepRun: the start and the finish name different step attempts");
  const startedMsAgo = Math.max(0, start.startedMsAgo);
  return db.transaction((tx) =>
    writeStepFinish(tx, orgId, finish, limits, { input: start.input, startedMsAgo }),
  );
}

async function writeStepFinish(
  tx: Database,
  orgId: string,
  input: RecordStepFinishInput,
  limits: ValueLimits,
  /** The attempt's start, not recorded yet: written in the same row write, its event first. */
  start?: { input: unknown; startedMsAgo: number },
): Promise<StepChange> {
  const key: StepKey = { runId: input.runId, nodeId: input.nodeId, attempt: input.attempt };
  const tokens = {
    tokensIn: input.tokensIn ?? 0,
    tokensOut: input.tokensOut ?? 0,
    costUsd: input.costUsd ?? 0,
  };
  const startFields = start
    ? { input: { value: start.input }, started: true, startedMsAgo: start.startedMsAgo }
    : {};
  const written = await writeStep(
    tx,
    orgId,
    input.status === "succeeded"
      ? {
          ...key,
          ...tokens,
          status: "succeeded",
          output: { value: input.output },
          error: null,
          port: input.port ?? null,
          reusedFromRunId: input.reusedFromRunId ?? null,
          finished: true,
          ...startFields,
        }
      : { ...key, ...tokens, status: "failed", error: input.error, finished: true, ...startFields },
    limits,
  );
  // Totals are recomputed from the steps, so a replayed attempt is never counted twice.
  if (tokens.tokensIn > 0 || tokens.tokensOut > 0 || tokens.costUsd > 0) {
    await tx
      .update(runs)
      .set({
        tokensIn: sql`(select coalesce(sum(${runSteps.tokensIn}), 0)::int from ${runSteps} where ${runSteps.runId} = ${input.runId})`,
        tokensOut: sql`(select coalesce(sum(${runSteps.tokensOut}), 0)::int from ${runSteps} where ${runSteps.runId} = ${input.runId})`,
        costUsd: sql`(select coalesce(sum(${runSteps.costUsd}), 0)::float8 from ${runSteps} where ${runSteps.runId} = ${input.runId})`,
        updatedAt: sql`now()`,
      })
      .where(and(eq(runs.id, input.runId), eq(runs.orgId, orgId)));
  }
  const { step } = written;
  const durationMs =
    step.startedAt && step.finishedAt ? step.finishedAt.getTime() - step.startedAt.getTime() : null;
  const finished: NewRunEvent =
    input.status === "succeeded"
      ? {
          runId: input.runId,
          type: "step.succeeded",
          nodeId: input.nodeId,
          payload: {
            attempt: input.attempt,
            output: eventValue(written.output ?? measureValue(null)),
            ...tokens,
            durationMs,
            ...(input.port ? { port: input.port } : {}),
            ...(input.reusedFromRunId ? { reusedFromRunId: input.reusedFromRunId } : {}),
          },
          dedupeKey: dedupe("step.finished", key),
        }
      : {
          runId: input.runId,
          type: "step.failed",
          nodeId: input.nodeId,
          payload: { attempt: input.attempt, error: input.error, ...tokens, durationMs },
          dedupeKey: dedupe("step.finished", key),
        };
  // A start written with the outcome: both events in one statement, `step.started` first.
  if (start)
    return {
      step,
      events: await appendRunEvents(tx, orgId, input.runId, [
        startedEvent(key, written.input),
        finished,
      ]),
    };
  const appended = await appendRunEvent(tx, orgId, finished);
  return { step, events: appended.created ? [appended.event] : [] };
}

/** A pure node's outcome (its start and finish together) or a skip, as a group commit holds it. */
export type PureStepWrite =
  | {
      kind: "run";
      start: RecordStepStartInput & { startedMsAgo: number };
      finish: RecordStepFinishInput;
    }
  | { kind: "skip"; runId: string; nodeId: string };

/**
 * The outcomes of pure nodes of one run, committed together (docs/executor.md, Direct runs): one upsert of their
 * `run_steps` rows and one append of their events, in the order given, inside the caller's transaction. Writes a
 * batch cannot take — a value stored as a blob, tokens or cost, a failure — are written one by one as recordStepRun
 * and upsertStep write them.
 */
export async function recordPureSteps(
  tx: Database,
  orgId: string,
  writes: readonly PureStepWrite[],
  limits: ValueLimits = {},
): Promise<Written> {
  if (writes.length === 0) return { events: [] };
  const inlineLimit = limits.inlineLimitBytes ?? INLINE_VALUE_LIMIT_BYTES;
  type Measured = { input: MeasuredValue; output: MeasuredValue };
  const measured: (Measured | undefined)[] = [];
  for (const write of writes) {
    if (write.kind === "skip") {
      measured.push(undefined);
      continue;
    }
    const { finish } = write;
    if (
      finish.status !== "succeeded" ||
      (finish.tokensIn ?? 0) > 0 ||
      (finish.tokensOut ?? 0) > 0 ||
      (finish.costUsd ?? 0) > 0
    )
      return recordOneByOne(tx, orgId, writes, limits);
    const values = { input: measureValue(write.start.input), output: measureValue(finish.output) };
    if (values.input.bytes > inlineLimit || values.output.bytes > inlineLimit)
      return recordOneByOne(tx, orgId, writes, limits);
    measured.push(values);
  }
  const runId = writes[0]?.kind === "run" ? writes[0].start.runId : (writes[0]?.runId ?? "");
  if (writes.some((write) => (write.kind === "run" ? write.start.runId : write.runId) !== runId))
    throw new Error("recordPureSteps: every write must belong to one run");
  const json = (value: MeasuredValue) =>
    value.value === null ? sql`null` : sql`${value.json}::jsonb`;
  const rows = writes.map((write, index) => {
    const values = measured[index];
    if (write.kind === "skip" || !values)
      return {
        runId,
        orgId,
        nodeId: write.kind === "skip" ? write.nodeId : write.start.nodeId,
        attempt: 0,
        status: "skipped" as const,
      };
    const startedMsAgo = Math.max(0, write.start.startedMsAgo);
    return {
      runId,
      orgId,
      nodeId: write.finish.nodeId,
      attempt: write.finish.attempt,
      status: "succeeded" as const,
      input: json(values.input),
      output: json(values.output),
      port: write.finish.status === "succeeded" ? (write.finish.port ?? null) : null,
      reusedFromRunId:
        write.finish.status === "succeeded" ? (write.finish.reusedFromRunId ?? null) : null,
      startedAt: sql`now() - ${startedMsAgo}::double precision * interval '1 millisecond'`,
      finishedAt: sql`now()`,
    };
  });
  let stored: {
    nodeId: string;
    attempt: number;
    startedAt: Date | null;
    finishedAt: Date | null;
  }[];
  try {
    stored = await tx
      .insert(runSteps)
      .values(rows)
      .onConflictDoUpdate({
        target: [runSteps.runId, runSteps.nodeId, runSteps.attempt],
        set: {
          status: sql`excluded.status`,
          updatedAt: sql`now()`,
          input: sql`excluded.input`,
          inputBlobId: sql`null`,
          output: sql`excluded.output`,
          outputBlobId: sql`null`,
          error: sql`null`,
          port: sql`excluded.port`,
          reusedFromRunId: sql`excluded.reused_from_run_id`,
          startedAt: sql`coalesce(${runSteps.startedAt}, excluded.started_at)`,
          finishedAt: sql`excluded.finished_at`,
        },
        setWhere: eq(runSteps.orgId, orgId),
      })
      .returning({
        nodeId: runSteps.nodeId,
        attempt: runSteps.attempt,
        startedAt: runSteps.startedAt,
        finishedAt: runSteps.finishedAt,
      });
  } catch (error) {
    if (isMissingRun(error)) throw new RunNotFoundError(runId);
    throw error;
  }
  const times = new Map(stored.map((row) => [`${row.nodeId}\u0000${row.attempt}`, row]));
  const events: NewRunEvent[] = writes.flatMap((write, index): NewRunEvent[] => {
    const values = measured[index];
    if (write.kind === "skip" || !values) {
      const nodeId = write.kind === "skip" ? write.nodeId : write.start.nodeId;
      return [
        {
          runId,
          type: "step.skipped",
          nodeId,
          payload: { attempt: 0 },
          dedupeKey: dedupe("step.skipped", { runId, nodeId, attempt: 0 }),
        },
      ];
    }
    const { finish } = write;
    if (finish.status !== "succeeded") return [];
    const key: StepKey = { runId, nodeId: finish.nodeId, attempt: finish.attempt };
    const row = times.get(`${key.nodeId}\u0000${key.attempt}`);
    const durationMs =
      row?.startedAt && row.finishedAt ? row.finishedAt.getTime() - row.startedAt.getTime() : null;
    return [
      startedEvent(key, values.input),
      {
        runId,
        type: "step.succeeded",
        nodeId: key.nodeId,
        payload: {
          attempt: key.attempt,
          output: eventValue(values.output),
          tokensIn: 0,
          tokensOut: 0,
          costUsd: 0,
          durationMs,
          ...(finish.port ? { port: finish.port } : {}),
          ...(finish.reusedFromRunId ? { reusedFromRunId: finish.reusedFromRunId } : {}),
        },
        dedupeKey: dedupe("step.finished", key),
      },
    ];
  });
  return { events: await appendRunEvents(tx, orgId, runId, events) };
}

/** recordPureSteps' writes one at a time, each as its own function writes it. */
async function recordOneByOne(
  tx: Database,
  orgId: string,
  writes: readonly PureStepWrite[],
  limits: ValueLimits,
): Promise<Written> {
  const events: RunEvent[] = [];
  for (const write of writes) {
    const written =
      write.kind === "skip"
        ? await upsertStep(
            tx,
            orgId,
            { runId: write.runId, nodeId: write.nodeId, attempt: 0, status: "skipped" },
            limits,
          )
        : await recordStepRun(tx, orgId, write.start, write.finish, limits);
    events.push(...written.events);
  }
  return { events };
}

export interface UpsertStepInput extends StepKey {
  status: StepStatus;
  input?: unknown;
  /** With `waiting`: why (sleep, approval, sub-flow), for the event. */
  reason?: string;
}

/**
 * Writes a step in any status without finishing it: `pending` (no event), `skipped` (appends `step.skipped`),
 * `waiting` (appends `step.waiting`). `running`, `succeeded` and `failed` go through recordStepStart/Finish.
 */
export async function upsertStep(
  db: Database,
  orgId: string,
  input: UpsertStepInput,
  limits: ValueLimits = {},
): Promise<StepChange> {
  if (input.status === "running") return recordStepStart(db, orgId, input, limits);
  if (input.status === "succeeded" || input.status === "failed") {
    throw new Error(
      `upsertStep cannot record node ${input.nodeId} as ${input.status}: use recordStepFinish, which needs the output or error`,
    );
  }
  const { status } = input;
  return db.transaction(async (tx) => {
    const written = await writeStep(
      tx,
      orgId,
      {
        runId: input.runId,
        nodeId: input.nodeId,
        attempt: input.attempt,
        status,
        ...("input" in input ? { input: { value: input.input } } : {}),
      },
      limits,
    );
    if (status === "pending") return { step: written.step, events: [] };
    const appended =
      status === "skipped"
        ? await appendRunEvent(tx, orgId, {
            runId: input.runId,
            type: "step.skipped",
            nodeId: input.nodeId,
            payload: { attempt: input.attempt },
            dedupeKey: dedupe("step.skipped", input),
          })
        : await appendRunEvent(tx, orgId, {
            runId: input.runId,
            type: "step.waiting",
            nodeId: input.nodeId,
            payload: { attempt: input.attempt, ...(input.reason ? { reason: input.reason } : {}) },
            dedupeKey: dedupe("step.waiting", input),
          });
    return { step: written.step, events: appended.created ? [appended.event] : [] };
  });
}

export interface RunWithSteps {
  run: Run;
  /** Every attempt of every node, in the order they were first recorded. */
  steps: RunStep[];
}

/** A run and its steps with every stored value resolved, or undefined when the run is not in the org. */
export async function getRunWithSteps(
  db: Database,
  orgId: string,
  runId: string,
): Promise<RunWithSteps | undefined> {
  const [run] = await db
    .select()
    .from(runs)
    .where(and(eq(runs.id, runId), eq(runs.orgId, orgId)));
  if (!run) return undefined;
  const steps = await db
    .select()
    .from(runSteps)
    .where(and(eq(runSteps.runId, runId), eq(runSteps.orgId, orgId)))
    // Steps committed together share created_at (docs/executor.md, Direct runs): their start times order them.
    .orderBy(
      asc(runSteps.createdAt),
      asc(runSteps.startedAt),
      asc(runSteps.nodeId),
      asc(runSteps.attempt),
    );
  const blobs = await blobsOf(db, orgId, [run, ...steps]);
  return { run: withValues(run, blobs), steps: steps.map((step) => withValues(step, blobs)) };
}

/**
 * The output of every node that succeeded in a run (its latest successful attempt), resolved: what a rerun from a
 * node reuses for the nodes upstream of it. Undefined when the run is not in the org.
 */
export async function getNodeOutputs(
  db: Database,
  orgId: string,
  runId: string,
): Promise<Record<string, unknown> | undefined> {
  if (!(await runExists(db, orgId, runId))) return undefined;
  const rows = await db
    .selectDistinctOn([runSteps.nodeId], {
      nodeId: runSteps.nodeId,
      input: runSteps.input,
      inputBlobId: sql<string | null>`null`,
      output: runSteps.output,
      outputBlobId: runSteps.outputBlobId,
    })
    .from(runSteps)
    .where(
      and(eq(runSteps.runId, runId), eq(runSteps.orgId, orgId), eq(runSteps.status, "succeeded")),
    )
    .orderBy(runSteps.nodeId, desc(runSteps.attempt));
  const blobs = await blobsOf(db, orgId, rows);
  return Object.fromEntries(rows.map((row) => [row.nodeId, withValues(row, blobs).output]));
}

/** What a node's latest attempt in a run came to, as a rerun reads it. */
export type StepOutcome =
  | { status: "succeeded"; port: string | null; output: unknown }
  | { status: Exclude<StepStatus, "succeeded"> };

/**
 * The outcome of every node of a run that recorded a step: its latest attempt's status, with the output (resolved)
 * and fired port when it succeeded. Undefined when the run is not in the org.
 */
export async function getStepOutcomes(
  db: Database,
  orgId: string,
  runId: string,
): Promise<Record<string, StepOutcome> | undefined> {
  if (!(await runExists(db, orgId, runId))) return undefined;
  const rows = await db
    .selectDistinctOn([runSteps.nodeId], {
      nodeId: runSteps.nodeId,
      status: runSteps.status,
      port: runSteps.port,
      input: runSteps.input,
      inputBlobId: sql<string | null>`null`,
      output: runSteps.output,
      outputBlobId: runSteps.outputBlobId,
    })
    .from(runSteps)
    .where(and(eq(runSteps.runId, runId), eq(runSteps.orgId, orgId)))
    .orderBy(runSteps.nodeId, desc(runSteps.attempt));
  const blobs = await blobsOf(db, orgId, rows);
  const outcomes: Record<string, StepOutcome> = {};
  for (const row of rows) {
    outcomes[row.nodeId] =
      row.status === "succeeded"
        ? { status: "succeeded", port: row.port, output: withValues(row, blobs).output }
        : { status: row.status };
  }
  return outcomes;
}
