import type { Database } from "@runnel/db";
import { and, asc, eq, gt, isUniqueViolation, queryRows, sql } from "@runnel/db";
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
 * Appends one event with the next per-run sequence number, in one statement: a data-modifying CTE increments
 * `runs.event_seq` (taking the run row lock until commit) and the INSERT uses the new value. So:
 * - concurrent appends to one run serialise on the run row and get distinct, consecutive numbers;
 * - a statement or transaction that fails takes its number back with it: no gap;
 * - seq n+1 cannot commit before seq n, so readers always see a gapless prefix.
 * With a dedupe key, the counter is only incremented when no event with that key exists; replays get the stored
 * event back. Two appends racing with one key outside any transaction also end with one event (the loser's unique
 * violation is caught); inside a caller's transaction the loser's transaction fails, so callers serialise such
 * writes first (the step and approval writers do, through their own row).
 * Publishing to a live bus is the caller's job, after its transaction commits (see createRunStore).
 */
export async function appendRunEvent(
  db: Database,
  orgId: string,
  input: NewRunEvent,
): Promise<AppendedEvent> {
  const { runId, dedupeKey } = input;
  const nodeId = input.nodeId ?? null;
  const notDuplicate = dedupeKey
    ? sql`and not exists (select 1 from ${runEvents} where ${runEvents.runId} = ${runId} and ${runEvents.dedupeKey} = ${dedupeKey})`
    : sql``;
  let rows: { seq: number; created_ms: number }[];
  try {
    rows = await queryRows(
      db,
      sql`with counter as (
            update ${runs} set "event_seq" = ${runs.eventSeq} + 1
            where ${runs.id} = ${runId} and ${runs.orgId} = ${orgId} ${notDuplicate}
            returning ${runs.eventSeq} as seq
          )
          insert into ${runEvents} ("run_id", "seq", "org_id", "type", "node_id", "payload", "dedupe_key")
          select ${runId}, counter.seq, ${orgId}, ${input.type}, ${nodeId},
                 ${JSON.stringify(input.payload)}::jsonb, ${dedupeKey ?? null}
          from counter
          returning "seq", (extract(epoch from "created_at") * 1000)::float8 as created_ms`,
    );
  } catch (error) {
    if (!dedupeKey || !isUniqueViolation(error, "run_events_run_dedupe_uq")) throw error;
    rows = [];
  }
  const [row] = rows;
  if (row) {
    const event = {
      runId,
      orgId,
      seq: row.seq,
      type: input.type,
      nodeId,
      payload: input.payload,
      createdAt: new Date(row.created_ms),
    } as RunEvent;
    return { event, created: true };
  }
  if (dedupeKey) {
    const existing = await findByDedupeKey(db, orgId, runId, dedupeKey);
    if (existing) return { event: toRunEvent(existing), created: false };
  }
  throw new RunNotFoundError(runId);
}

/**
 * Appends several events of one run in one statement, in order, with consecutive sequence numbers taken from
 * `runs.event_seq` as appendRunEvent takes one (under the run row lock, no gap). An event whose dedupe key is
 * already stored is left out; returns the events appended. Nothing is appended to a run that is not in the org.
 */
export async function appendRunEvents(
  db: Database,
  orgId: string,
  runId: string,
  inputs: readonly NewRunEvent[],
): Promise<RunEvent[]> {
  if (inputs.length === 0) return [];
  const candidates = sql.join(
    inputs.map(
      (input, index) =>
        sql`(${index}::int, ${input.type}::text, ${input.nodeId ?? null}::text, ${JSON.stringify(input.payload)}::jsonb, ${input.dedupeKey ?? null}::text)`,
    ),
    sql`, `,
  );
  const rows = await queryRows<{ ord: number; seq: number; created_ms: number }>(
    db,
    sql`with candidates (ord, type, node_id, payload, dedupe_key) as (values ${candidates}),
        fresh as (
          select c.* from candidates c
          where c.dedupe_key is null or not exists (
            select 1 from ${runEvents} e where e.run_id = ${runId} and e.dedupe_key = c.dedupe_key)
        ),
        counter as (
          update ${runs} set "event_seq" = ${runs.eventSeq} + (select count(*) from fresh)::int
          where ${runs.id} = ${runId} and ${runs.orgId} = ${orgId} and exists (select 1 from fresh)
          returning ${runs.eventSeq} as last
        ),
        numbered as (
          select fresh.*, counter.last - (select count(*) from fresh)::int
                 + (row_number() over (order by fresh.ord))::int as seq
          from fresh, counter
        )
        insert into ${runEvents} ("run_id", "seq", "org_id", "type", "node_id", "payload", "dedupe_key")
        select ${runId}, numbered.seq, ${orgId}, numbered.type, numbered.node_id, numbered.payload,
               numbered.dedupe_key
        from numbered order by numbered.seq
        returning "seq", (extract(epoch from "created_at") * 1000)::float8 as created_ms,
                  (select n.ord from numbered n where n.seq = ${runEvents.seq}) as ord`,
  );
  return rows
    .sort((a, b) => a.seq - b.seq)
    .map((row) => {
      const input = inputs[row.ord];
      if (!input) throw new Error(`appendRunEvents: no event at ${row.ord}`);
      return {
        runId,
        orgId,
        seq: row.seq,
        type: input.type,
        nodeId: input.nodeId ?? null,
        payload: input.payload,
        createdAt: new Date(row.created_ms),
      };
    });
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
