import type { Database } from "@runnel/db";
import { and, asc, eq, inArray, isNull, lte, or, sql } from "@runnel/db";
import { runJournal, runs } from "@runnel/db/schema";

const UNFINISHED = ["queued", "running", "waiting"] as const;
/** A parked run nothing but a signal wakes (a sub-flow without timeout): due at the end of time. */
const NEVER = new Date("9999-12-31T00:00:00Z");

const msFromNow = (ms: number) => sql`now() + ${`${Math.round(ms)} milliseconds`}::interval`;

/** What a parked run waits for besides its time: any of these journal signals, or any of these runs finishing. */
export interface WakeConditions {
  signals: string[];
  children: string[];
}

/**
 * Leases on `runs` rows (docs/executor.md, Direct runs): a direct driver executes a run only while it holds its
 * lease (`lease_owner`, `lease_until`); a run that waits is parked (no owner, `lease_until` = when it is due); an
 * unfinished run whose time has passed is due and taken by whichever driver claims it first.
 */
export function createLeases(db: Database, owner: string, leaseMs: number) {
  const unfinished = inArray(runs.status, [...UNFINISHED]);
  const free = or(isNull(runs.leaseUntil), lte(runs.leaseUntil, sql`now()`));
  return {
    owner,
    /** Takes the run when nobody holds it and it is due (or was never claimed); its org and parent, or undefined. */
    async claim(runId: string) {
      const [row] = await db
        .update(runs)
        .set({ leaseOwner: owner, leaseUntil: msFromNow(leaseMs) })
        .where(and(eq(runs.id, runId), unfinished, free))
        .returning({ orgId: runs.orgId, parentRunId: runs.parentRunId, startedAt: runs.startedAt });
      return row;
    },
    /** Extends the leases this driver holds. */
    async heartbeat(runIds: string[]) {
      if (runIds.length === 0) return;
      await db
        .update(runs)
        .set({ leaseUntil: msFromNow(leaseMs) })
        .where(and(inArray(runs.id, runIds), eq(runs.leaseOwner, owner)));
    },
    /**
     * Gives the run up until `until` (null: until a signal). Due at once instead when a signal it waits for or a
     * child it waits on arrived before this statement: a waker that comes later finds the run parked and wakes it.
     */
    async park(runId: string, until: Date | null, wake: WakeConditions) {
      const signalled = wake.signals.length
        ? sql`exists (select 1 from ${runJournal} where ${runJournal.runId} = ${runId} and ${inArray(runJournal.stepId, wake.signals)})`
        : sql`false`;
      const childDone = wake.children.length
        ? sql`exists (select 1 from ${runs} as child where child.id in (${sql.join(
            wake.children.map((id) => sql`${id}`),
            sql`, `,
          )}) and child.status not in ('queued', 'running', 'waiting'))`
        : sql`false`;
      await db
        .update(runs)
        .set({
          leaseOwner: null,
          leaseUntil: sql`case when ${signalled} or ${childDone} then now() else ${(until ?? NEVER).toISOString()}::timestamptz end`,
        })
        .where(and(eq(runs.id, runId), eq(runs.leaseOwner, owner)));
    },
    /** Lets go of a run this driver holds (it ended, or the driver stops). */
    async release(runIds: string[]) {
      if (runIds.length === 0) return;
      await db
        .update(runs)
        .set({ leaseOwner: null, leaseUntil: sql`now()` })
        .where(and(inArray(runs.id, runIds), eq(runs.leaseOwner, owner)));
    },
    /** Makes a parked run due now (a signal arrived, a child finished). */
    async wake(runId: string) {
      await db
        .update(runs)
        .set({ leaseUntil: sql`now()` })
        .where(and(eq(runs.id, runId), unfinished, isNull(runs.leaseOwner)));
    },
    /** Unfinished runs whose time has passed, and queued runs nobody claimed within `unclaimedMs`. */
    async due(limit: number, unclaimedMs: number) {
      return db
        .select({ id: runs.id, orgId: runs.orgId })
        .from(runs)
        .where(
          and(
            unfinished,
            or(
              lte(runs.leaseUntil, sql`now()`),
              and(
                eq(runs.status, "queued"),
                isNull(runs.leaseUntil),
                lte(runs.createdAt, msFromNow(-unclaimedMs)),
              ),
            ),
          ),
        )
        .orderBy(asc(runs.leaseUntil))
        .limit(limit);
    },
    /**
     * Makes every lease of another owner due at once: only for a driver that is the database's sole user (an
     * embedded PGlite folder is locked to one process), whose predecessor is therefore gone.
     */
    async takeOverAll() {
      await db
        .update(runs)
        .set({ leaseUntil: sql`now()` })
        .where(and(unfinished, sql`${runs.leaseOwner} <> ${owner}`));
    },
  };
}

export type Leases = ReturnType<typeof createLeases>;
