import { notInArray } from "drizzle-orm";

import { and, eq, inArray, isNull, lt, lte, ne, or, sql } from "@runnel/db";

import type { JobRow } from "../queue";
import type { ExecutorResources } from "./resources";
import { jobs } from "../schema";

const ADVISORY_LOCK = 7_240_517;

/**
 * Leases up to `limit` due jobs to this worker (`FOR UPDATE SKIP LOCKED`), never one in `working`. When a
 * registered function limits concurrency, claimers are serialised by an advisory lock and the limits are
 * counted over the calls in progress.
 */
export async function claimJobs(
  r: ExecutorResources,
  limit: number,
  working: ReadonlySet<number>,
): Promise<JobRow[]> {
  const { store, settings } = r;
  const now = new Date();
  const due = and(
    lte(jobs.dueAt, now),
    or(isNull(jobs.leaseOwner), lt(jobs.leaseExpires, now)),
    working.size > 0 ? notInArray(jobs.id, [...working]) : undefined,
  );
  if (!r.registry.hasConcurrencyLimits()) {
    // No registered function limits concurrency: claim in one statement, without the counting below.
    const ids = store.db
      .select({ id: jobs.id })
      .from(jobs)
      .where(due)
      .orderBy(jobs.dueAt, jobs.id)
      .limit(limit)
      .for("update", { skipLocked: true });
    return store.db
      .update(jobs)
      .set({
        leaseOwner: settings.workerId,
        leaseExpires: new Date(now.getTime() + settings.leaseMs),
      })
      .where(inArray(jobs.id, ids))
      .returning();
  }
  return store.tx(async (tx) => {
    // Serialise claimers so that the concurrency counts below are exact across processes.
    if (!store.isPglite) await tx.execute(sql`select pg_advisory_xact_lock(${ADVISORY_LOCK})`);
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
      .set({ leaseOwner: settings.workerId, leaseExpires: new Date(Date.now() + settings.leaseMs) })
      .where(inArray(jobs.id, picked))
      .returning();
  });
}
