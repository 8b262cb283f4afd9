import { and, eq, sql } from "@runnel/db";

import type { Tx } from "./store";
import { jobs } from "./schema";

export type JobRow = typeof jobs.$inferSelect;

/** A job to schedule; `attempt`, `concurrency` and `payload` default to 0, none and null. */
export interface NewJob {
  key: string;
  kind: JobRow["kind"];
  runId: string | null;
  stepId: string;
  dueAt: Date;
  attempt?: number;
  concurrency?: unknown;
  payload?: unknown;
}

/**
 * Schedules a job unless one with the same key is pending (not leased); with `leaseTo` the job is leased to
 * that worker for `leaseMs` at once. Answers the inserted row, or undefined when the key was taken.
 */
export async function insertJob(
  tx: Tx,
  job: NewJob,
  leaseMs: number,
  leaseTo?: string,
): Promise<JobRow | undefined> {
  const values = {
    key: job.key,
    kind: job.kind,
    runId: job.runId,
    stepId: job.stepId,
    dueAt: job.dueAt,
    attempt: job.attempt ?? 0,
    concurrency: job.concurrency ?? [],
    payload: job.payload ?? null,
    leaseOwner: leaseTo ?? null,
    leaseExpires: leaseTo ? new Date(Date.now() + leaseMs) : null,
  };
  const rows = await tx
    .insert(jobs)
    .values(values)
    .onConflictDoNothing({ target: jobs.key, where: sql`lease_owner is null` })
    .returning();
  return rows[0];
}

/** Deletes the job if `workerId` still holds it; false means another worker took it over (or the run ended). */
export async function takeOwnership(tx: Tx, job: JobRow, workerId: string): Promise<boolean> {
  const rows = await tx
    .delete(jobs)
    .where(and(eq(jobs.id, job.id), eq(jobs.leaseOwner, workerId)))
    .returning({ id: jobs.id });
  return rows.length > 0;
}
