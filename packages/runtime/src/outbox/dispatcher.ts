import type { Database } from "@runnel/db";
import type { SendEvent } from "@runnel/engine";
import { sql } from "@runnel/db";
import { RUN_REQUESTED_EVENT } from "@runnel/engine";

import type { RuntimeLog } from "../log";

/**
 * The start-request outbox (docs/runtime.md, "Start requests"): `runs.dispatch_at` is set in the run's INSERT; the
 * dispatcher sends `runnel/run.requested` for each due row until what runs the functions accepts it, then clears
 * the column. The event id is `run-<runId>`, so a re-send never starts a second execution.
 */
export interface DispatcherOptions {
  /** How often due start requests are looked for. Default 1000 ms. */
  pollMs?: number;
  /** Start requests claimed per round. Default 100. */
  batchSize?: number;
  /** Acknowledged start requests are cleared together, at most this long after delivery. Default 250 ms. */
  ackFlushMs?: number;
}

export interface StartRequestDispatcher {
  /** Sends start requests through the driver and records the acknowledgement; other events pass through. */
  send: SendEvent;
  /** One round: claims due start requests, delivers them, clears the delivered ones. Answers how many it sent. */
  dispatchDue(): Promise<number>;
  start(): void;
  /** Stops polling and writes the acknowledgements still pending. */
  stop(): Promise<void>;
}

interface DueRow {
  id: string;
  org_id: string;
  status: string;
}

/** The run id of a start request event, or undefined for any other event. */
function startedRunId(event: { name: string; data: Record<string, unknown> }): string | undefined {
  if (event.name !== RUN_REQUESTED_EVENT) return undefined;
  const runId = event.data.runId;
  return typeof runId === "string" ? runId : undefined;
}

export function createStartRequestDispatcher(deps: {
  db: Database;
  /** The driver's sender (resolves once the event is accepted). */
  deliver: SendEvent;
  log: RuntimeLog;
  options?: DispatcherOptions;
}): StartRequestDispatcher {
  const { db, deliver, log } = deps;
  const pollMs = deps.options?.pollMs ?? 1000;
  const batchSize = deps.options?.batchSize ?? 100;
  const ackFlushMs = deps.options?.ackFlushMs ?? 250;

  let acknowledged: string[] = [];
  let flushTimer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> = Promise.resolve();

  async function writeAcknowledged(): Promise<void> {
    flushTimer = undefined;
    const ids = acknowledged;
    acknowledged = [];
    if (ids.length === 0) return;
    try {
      await db.execute(
        sql`update runs set dispatch_at = null where id = any(${`{${ids.join(",")}}`}::text[])`,
      );
    } catch (error) {
      // Left due: the next round re-sends them, which the event id makes harmless.
      log("warn", "recording delivered start requests failed", { error: String(error) });
    }
  }

  function acknowledge(runId: string): void {
    acknowledged.push(runId);
    flushTimer ??= setTimeout(() => {
      flushing = flushing.then(writeAcknowledged);
    }, ackFlushMs);
  }

  const startEvent = (runId: string, orgId: string) => ({
    id: `run-${runId}`,
    name: RUN_REQUESTED_EVENT,
    data: { runId, orgId },
  });

  async function dispatchDue(): Promise<number> {
    // Claiming pushes dispatch_at forward (a backoff that grows with the request's age, 1 s to 60 s), so another
    // process's dispatcher skips the row, and a failed send is retried later without an attempts column.
    const result = await db.execute(sql`
      update runs
      set dispatch_at = now() + least(interval '60 seconds', greatest(interval '1 second', (now() - created_at) / 2))
      where id in (
        select id from runs where dispatch_at <= now()
        order by dispatch_at limit ${batchSize}
        for update skip locked
      )
      returning id, org_id, status`);
    const claimed = (result as { rows: DueRow[] }).rows;
    let sent = 0;
    let failure: Error | undefined;
    for (const row of claimed) {
      // A run past `queued` was delivered (its acknowledgement was lost), or was cancelled: nothing to start.
      if (row.status !== "queued") {
        acknowledge(row.id);
        continue;
      }
      if (failure !== undefined) continue;
      try {
        await deliver(startEvent(row.id, row.org_id));
        acknowledge(row.id);
        sent++;
      } catch (error) {
        // What runs the functions is unreachable: the rest of the batch waits for its next attempt too.
        failure = error instanceof Error ? error : new Error(String(error));
      }
    }
    if (failure !== undefined)
      log("warn", "start requests could not be delivered; retrying with backoff", {
        pending: claimed.length - sent,
        error: failure.message,
      });
    return sent;
  }

  let timer: NodeJS.Timeout | undefined;
  let round: Promise<unknown> = Promise.resolve();
  let running = false;

  function schedule(): void {
    if (!running) return;
    timer = setTimeout(() => {
      round = dispatchDue()
        .catch((error: unknown) =>
          log("error", "the start-request dispatcher failed a round", { error: String(error) }),
        )
        .finally(schedule);
    }, pollMs);
  }

  return {
    async send(event) {
      const runId = startedRunId(event);
      if (runId === undefined) return deliver(event);
      try {
        const result = await deliver(event);
        acknowledge(runId);
        return result;
      } catch (error) {
        // The run and its start request are committed: the dispatcher delivers it when the executor is back.
        log("warn", "start request not delivered now; the dispatcher will retry", {
          runId,
          error: error instanceof Error ? error.message : String(error),
        });
        return undefined;
      }
    },
    dispatchDue,
    start() {
      if (running) return;
      running = true;
      // The first round runs at once: start requests left by a previous process are delivered on restart.
      round = dispatchDue()
        .catch((error: unknown) =>
          log("error", "the start-request dispatcher failed a round", { error: String(error) }),
        )
        .finally(schedule);
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      await round;
      if (flushTimer) clearTimeout(flushTimer);
      await flushing;
      await writeAcknowledged();
    },
  };
}
