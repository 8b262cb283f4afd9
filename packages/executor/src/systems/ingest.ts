import { and, eq, inArray, isNull, lt, sql } from "@runnel/db";

import type { IncomingEvent, StoredEvent } from "../protocol";
import type { Tx } from "../store";
import type { RunBatch, RunLifecycle } from "./lifecycle";
import type { ExecutorResources } from "./resources";
import { matches } from "../cel";
import { seededEventId, ulid } from "../ids";
import { IncomingEvent as IncomingEventSchema } from "../protocol";
import { events, jobs, runs, waits } from "../schema";
import { EventValidationError } from "./errors";

export interface SendResult {
  ids: string[];
}

/** Event routing: stores events (deduplicated), resumes and cancels waiting runs, starts triggered runs. */
export class EventIngest {
  constructor(
    private readonly r: ExecutorResources,
    private readonly lifecycle: RunLifecycle,
  ) {}

  /** Accepts events (as POST /e/:key does): stores them, starts triggered runs, resumes waits, cancels runs. */
  async sendEvents(input: unknown, options: { seed?: string } = {}): Promise<SendResult> {
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
    await this.r.store.tx(async (tx) => {
      await this.ingest(tx, prepared);
    });
    this.r.wake.wake();
    return { ids: prepared.map((event) => event.id) };
  }

  /**
   * Stores events (skipping ids seen within the dedupe window) and routes them, in order. A batch takes one
   * insert for the events, one query for the waits they may match, and one insert each for the runs and the
   * first calls they start.
   */
  async ingest(tx: Tx, list: StoredEvent[]): Promise<void> {
    if (new Set(list.map((event) => event.id)).size !== list.length) {
      // The same id twice in one batch: the later copy must see the earlier one, so one at a time.
      for (const event of list) await this.ingest(tx, [event]);
      return;
    }
    const now = new Date();
    const cutoff = new Date(now.getTime() - this.r.settings.dedupeWindowMs);
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
      if (!stored.has(event.id)) this.r.log("debug", `duplicate event ${event.id} ignored`);
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
          await this.lifecycle.cancelRunTx(tx, wait.runId, event.id);
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
        await this.lifecycle.resolveStep(tx, wait.runId, wait.stepId, { data: event });
      }
      for (const { fn, expressions } of this.r.registry.forEvent(event.name)) {
        if (expressions.some((expression) => matches(expression, { event }))) {
          await this.lifecycle.createRun(tx, fn, event, undefined, batch);
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
}
