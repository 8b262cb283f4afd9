import type { Database } from "@runnel/db";

import type { RunEvent } from "../runs/event-types";
import type { RunEventPublisher } from "../runs/run-store";
import { RunNotFoundError } from "../runs/errors";
import { TERMINAL_RUN_EVENT_TYPES } from "../runs/event-types";
import { listRunEvents } from "../runs/events";
import { runExists } from "../runs/store";

/**
 * What a transport tells a subscriber: event `seq` of its run was committed. In-process transports pass the event
 * itself; others pass only the number and the subscriber reads the rows. `seq: Infinity` means "something may have
 * been missed" (a reconnect): read everything new.
 */
export interface RunEventNotice {
  seq: number;
  event?: RunEvent;
}

/** A transport: delivers notices for one run to a local listener until the returned function is called. */
export interface RunEventNotifier {
  listen(runId: string, onNotice: (notice: RunEventNotice) => void): () => void;
}

export interface SubscribeOptions {
  /** Deliver events with seq greater than this (the last event id the consumer saw). Default 0: everything. */
  afterSeq?: number;
  /** Ends the stream (and frees its listener) when aborted, even while it waits. */
  signal?: AbortSignal;
  /** End after delivering run.succeeded / run.failed / run.cancelled. Default true. */
  untilTerminal?: boolean;
  /** Re-read the table this often while nothing arrives, in case a notice was lost. Default 5000 ms. */
  pollIntervalMs?: number;
}

export interface RunEventBus extends RunEventPublisher {
  /**
   * Stored events of the run after `afterSeq`, then live ones as they are committed: in seq order, each once, with
   * no gap. Throws RunNotFoundError (on the first read) when the run is not in the org.
   */
  subscribe(
    orgId: string,
    runId: string,
    options?: SubscribeOptions,
  ): AsyncGenerator<RunEvent, void, undefined>;
  /** Subscriptions currently holding a listener (for tests and metrics). */
  readonly activeSubscriptions: number;
  close(): Promise<void>;
}

const PAGE = 500;
const MAX_BUFFERED = 1000;

/**
 * The replay-then-live loop shared by every transport. The listener is registered before the replay query, so a
 * notice for an event committed during the replay is buffered; notices at or below the last delivered seq are
 * dropped (duplicates); a notice that skips ahead, or carries no event, sends the subscriber back to the table for
 * everything after the last delivered seq. Since seq n+1 never commits before seq n, that read is gapless.
 */
export async function* subscribeToRun(
  db: Database,
  notifier: RunEventNotifier,
  orgId: string,
  runId: string,
  options: SubscribeOptions,
  onActiveChange: (delta: 1 | -1) => void,
): AsyncGenerator<RunEvent, void, undefined> {
  const { signal, untilTerminal = true, pollIntervalMs = 5000 } = options;
  let last = options.afterSeq ?? 0;
  const queue: RunEventNotice[] = [];
  let wake: (() => void) | undefined;
  const unlisten = notifier.listen(runId, (notice) => {
    // A consumer far behind stops buffering: one marker sends it back to the table instead.
    if (queue.length >= MAX_BUFFERED) queue.splice(0, queue.length, { seq: Infinity });
    queue.push(notice);
    wake?.();
  });
  onActiveChange(1);
  const onAbort = () => wake?.();
  signal?.addEventListener("abort", onAbort);
  const waitForNotice = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, pollIntervalMs);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });
  try {
    if (signal?.aborted) return;
    // Whether the run is in the org is only asked when the first read finds nothing: events are read under the org
    // filter, so finding one answers it.
    let checked = false;
    for (;;) {
      // From the table: everything after the last delivered event.
      for (;;) {
        const page = await listRunEvents(db, orgId, runId, { afterSeq: last, limit: PAGE });
        if (!checked && page.length === 0 && !(await runExists(db, orgId, runId)))
          throw new RunNotFoundError(runId);
        checked = true;
        for (const event of page) {
          last = event.seq;
          yield event;
          if (untilTerminal && TERMINAL_RUN_EVENT_TYPES.has(event.type)) return;
          if (signal?.aborted) return;
        }
        if (page.length < PAGE) break;
      }
      // Live: take notices until one needs the table again.
      let needsRead = false;
      while (!needsRead) {
        if (signal?.aborted) return;
        const notice = queue.shift();
        if (!notice) {
          await waitForNotice();
          if (queue.length === 0) needsRead = true;
          continue;
        }
        if (notice.seq <= last) continue;
        const { event } = notice;
        if (notice.seq === last + 1 && event && event.orgId === orgId && event.runId === runId) {
          last = event.seq;
          yield event;
          if (untilTerminal && TERMINAL_RUN_EVENT_TYPES.has(event.type)) return;
        } else {
          needsRead = true;
        }
      }
      if (signal?.aborted) return;
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    wake?.();
    unlisten();
    onActiveChange(-1);
  }
}
