import type { Database } from "@runnel/db";
import { and, asc, eq, gt, isUniqueViolation, sql } from "@runnel/db";
import { runEvents, runs } from "@runnel/db/schema";

import type { NewRunEvent, RunEvent } from "./event-types";
import { RunNotFoundError } from "./errors";

type RunEventRow = typeof runEvents.$inferSelect;

export function toRunEvent(row: RunEventRow): RunEvent {
  // The row's type and payload were written together from a NewRunEvent, so they match.
  return {
    runId: row.runId,
    orgId: row.orgId,
    seq: row.seq,
    type: row.type,
    nodeId: row.nodeId,
    payload: row.payload,
    createdAt: row.createdAt,
  } as RunEvent;
}

async function findByDedupeKey(db: Database, orgId: string, runId: string, dedupeKey: string) {
  const [row] = await db
    .select()
    .from(runEvents)
    .where(
      and(
        eq(runEvents.runId, runId),
        eq(runEvents.orgId, orgId),
        eq(runEvents.dedupeKey, dedupeKey),
      ),
    );
  return row;
}

export interface AppendedEvent {
  event: RunEvent;
  /** False when an event with the same dedupe key already existed and was returned instead. */
  created: boolean;
}

/**
 * Appends one event with the next per-run sequence number. The counter on the run row is incremented and the event
 * inserted in one transaction (a savepoint inside the caller's), so:
 * - concurrent appends to one run serialise on the run row and get distinct, consecutive numbers;
 * - a failed insert rolls the counter back, leaving no gap;
 * - seq n+1 cannot commit before seq n, so readers always see a gapless prefix.
 * Publishing to a live bus is the caller's job, after its transaction commits (see createRunStore).
 */
export async function appendRunEvent(
  db: Database,
  orgId: string,
  input: NewRunEvent,
): Promise<AppendedEvent> {
  const { dedupeKey } = input;
  if (dedupeKey) {
    const existing = await findByDedupeKey(db, orgId, input.runId, dedupeKey);
    if (existing) return { event: toRunEvent(existing), created: false };
  }
  try {
    const row = await db.transaction(async (tx) => {
      const [counter] = await tx
        .update(runs)
        .set({ eventSeq: sql`${runs.eventSeq} + 1` })
        .where(and(eq(runs.id, input.runId), eq(runs.orgId, orgId)))
        .returning({ seq: runs.eventSeq });
      if (!counter) throw new RunNotFoundError(input.runId);
      const [inserted] = await tx
        .insert(runEvents)
        .values({
          runId: input.runId,
          orgId,
          seq: counter.seq,
          type: input.type,
          nodeId: input.nodeId ?? null,
          payload: input.payload,
          dedupeKey: dedupeKey ?? null,
        })
        .returning();
      if (!inserted)
        throw new Error(`Appending ${input.type} to run ${input.runId} returned no row`);
      return inserted;
    });
    return { event: toRunEvent(row), created: true };
  } catch (error) {
    // Another append with the same dedupe key committed between our check and our insert.
    if (dedupeKey && isUniqueViolation(error, "run_events_run_dedupe_uq")) {
      const existing = await findByDedupeKey(db, orgId, input.runId, dedupeKey);
      if (existing) return { event: toRunEvent(existing), created: false };
    }
    throw error;
  }
}

export interface ListRunEventsOptions {
  /** Return events with seq greater than this (0 = from the start). */
  afterSeq?: number;
  /** Default 1000. */
  limit?: number;
}

/** Stored events of a run in seq order. An unknown run (or another org's) simply has none. */
export async function listRunEvents(
  db: Database,
  orgId: string,
  runId: string,
  options: ListRunEventsOptions = {},
): Promise<RunEvent[]> {
  const rows = await db
    .select()
    .from(runEvents)
    .where(
      and(
        eq(runEvents.runId, runId),
        eq(runEvents.orgId, orgId),
        gt(runEvents.seq, options.afterSeq ?? 0),
      ),
    )
    .orderBy(asc(runEvents.seq))
    .limit(options.limit ?? 1000);
  return rows.map(toRunEvent);
}
