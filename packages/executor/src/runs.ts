import type { Database } from "@runnel/db";
import { and, desc, eq, lt } from "@runnel/db";

import type { RunStatus, StepStatus } from "./schema";
import { jobs, runs, steps, waits } from "./schema";

export interface RunSummary {
  id: string;
  functionId: string;
  status: RunStatus;
  eventName: string;
  createdAt: string;
  endedAt: string | null;
  durationMs: number | null;
  parentRunId: string | null;
}

export interface StepView {
  id: string;
  op: string;
  name: string | null;
  displayName: string | null;
  status: StepStatus;
  attempts: number;
  output: unknown;
  error: unknown;
  opts: unknown;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
}

export interface RunDetail extends RunSummary {
  event: unknown;
  output: unknown;
  error: unknown;
  maxAttempts: number;
  cancelledBy: string | null;
  steps: StepView[];
  /** Work still scheduled for the run: due calls, sleeps, timeouts (with attempt counters). */
  pending: { kind: string; stepId: string; attempt: number; dueAt: string; leased: boolean }[];
  waitingFor: {
    kind: string;
    stepId: string | null;
    eventName: string;
    expression: string | null;
    expiresAt: string | null;
  }[];
}

export interface ListRunsQuery {
  status?: RunStatus;
  functionId?: string;
  /** Runs created before this run id (ids are time-ordered ULIDs): the `nextCursor` of the previous page. */
  cursor?: string;
  limit?: number;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);
const duration = (start: Date | null, end: Date | null) =>
  start && end ? end.getTime() - start.getTime() : null;

function summary(row: typeof runs.$inferSelect): RunSummary {
  const event = row.event as { name?: string };
  return {
    id: row.id,
    functionId: row.functionId,
    status: row.status,
    eventName: event.name ?? "",
    createdAt: row.createdAt.toISOString(),
    endedAt: iso(row.endedAt),
    durationMs: duration(row.createdAt, row.endedAt),
    parentRunId: row.parentRunId,
  };
}

export async function listRuns(
  db: Database,
  query: ListRunsQuery = {},
): Promise<{ runs: RunSummary[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
  const conditions = [
    query.status ? eq(runs.status, query.status) : undefined,
    query.functionId ? eq(runs.functionId, query.functionId) : undefined,
    query.cursor ? lt(runs.id, query.cursor) : undefined,
  ].filter((c) => c !== undefined);
  const rows = await db
    .select()
    .from(runs)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(runs.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return {
    runs: page.map(summary),
    nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
  };
}

export async function runStatus(db: Database, id: string): Promise<RunStatus | undefined> {
  const [row] = await db.select({ status: runs.status }).from(runs).where(eq(runs.id, id)).limit(1);
  return row?.status;
}

/** Runs started by an event (Inngest's GET /v1/events/:id/runs). */
export async function runsForEvent(db: Database, eventId: string): Promise<RunSummary[]> {
  const rows = await db.select().from(runs).where(eq(runs.eventId, eventId)).orderBy(runs.id);
  return rows.map(summary);
}

export async function getRun(db: Database, id: string): Promise<RunDetail | undefined> {
  const [row] = await db.select().from(runs).where(eq(runs.id, id)).limit(1);
  if (!row) return undefined;
  const [stepRows, jobRows, waitRows] = await Promise.all([
    db.select().from(steps).where(eq(steps.runId, id)).orderBy(steps.createdAt, steps.id),
    db.select().from(jobs).where(eq(jobs.runId, id)).orderBy(jobs.dueAt),
    db.select().from(waits).where(eq(waits.runId, id)),
  ]);
  return {
    ...summary(row),
    event: row.event,
    output: row.output,
    error: row.error,
    maxAttempts: row.maxAttempts,
    cancelledBy: row.cancelledBy,
    steps: stepRows.map((step) => ({
      id: step.id,
      op: step.op,
      name: step.name,
      displayName: step.displayName,
      status: step.status,
      attempts: step.attempts,
      output: step.data,
      error: step.error,
      opts: step.opts,
      startedAt: iso(step.startedAt),
      endedAt: iso(step.endedAt),
      durationMs: duration(step.startedAt, step.endedAt),
    })),
    pending: jobRows.map((job) => ({
      kind: job.kind,
      stepId: job.stepId,
      attempt: job.attempt,
      dueAt: job.dueAt.toISOString(),
      leased: job.leaseOwner !== null,
    })),
    waitingFor: waitRows.map((wait) => ({
      kind: wait.kind,
      stepId: wait.stepId,
      eventName: wait.eventName,
      expression: wait.expression,
      expiresAt: iso(wait.expiresAt),
    })),
  };
}
