import type { Database } from "@runnel/db";
import { listenOnChannel, sql } from "@runnel/db";

import type { RunEvent } from "../runs/event-types";
import type {
  RunEventBus,
  RunEventNotice,
  RunEventNotifier,
  SubscribeOptions,
} from "./subscription";
import { subscribeToRun } from "./subscription";

export const DEFAULT_NOTIFY_CHANNEL = "runnel_run_events";

export interface PgEventBusOptions {
  /** The database the events are stored in: subscribers read rows from it, and NOTIFY is sent through it. */
  db: Database;
  /** Postgres URL for the dedicated LISTEN connection (a direct, non-pooled endpoint). */
  url: string;
  channel?: string;
  /** Delay before reconnecting a dropped LISTEN connection (doubles up to 5 s). Default 100 ms. */
  reconnectDelayMs?: number;
  /** Called when the LISTEN connection fails (it is re-established); default: ignored. */
  onError?: (error: Error) => void;
}

interface NoticePayload {
  r: string;
  s: number;
}

function parsePayload(payload: string | undefined): NoticePayload | undefined {
  if (!payload) return undefined;
  try {
    const parsed: unknown = JSON.parse(payload);
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const { r, s } = parsed as Record<string, unknown>;
    return typeof r === "string" && typeof s === "number" && Number.isInteger(s)
      ? { r, s }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Event bus across processes over Postgres LISTEN/NOTIFY. Publishing sends `pg_notify(channel, {"r": runId,
 * "s": seq})` (ids only: rows stay in the table, under the org filter). One dedicated node-postgres client per bus
 * listens and fans notices out to the local subscribers of each run; if that connection drops it reconnects and
 * tells every subscriber to re-read the table, so nothing is lost. Events published through this bus also reach
 * its own subscribers directly (with the event, as the in-process bus does), so a waiter in the publishing process
 * (a webhook answered synchronously) reads no rows for them.
 */
export async function createPgEventBus(options: PgEventBusOptions): Promise<RunEventBus> {
  const { db, url, channel = DEFAULT_NOTIFY_CHANNEL, onError } = options;
  const listeners = new Map<string, Set<(notice: RunEventNotice) => void>>();
  const closed = new AbortController();
  let active = 0;

  const dispatch = (runId: string, notice: RunEventNotice) => {
    for (const listener of listeners.get(runId) ?? []) listener(notice);
  };

  const listening = await listenOnChannel({
    url,
    channel,
    onNotice(raw) {
      const payload = parsePayload(raw);
      if (payload) dispatch(payload.r, { seq: payload.s });
    },
    // Notices sent while the connection was down are lost: every subscriber re-reads the table.
    onResumed() {
      for (const runId of [...listeners.keys()]) dispatch(runId, { seq: Infinity });
    },
    ...(options.reconnectDelayMs === undefined
      ? {}
      : { reconnectDelayMs: options.reconnectDelayMs }),
    ...(onError ? { onError } : {}),
  });

  const notifier: RunEventNotifier = {
    listen(runId, onNotice) {
      let set = listeners.get(runId);
      if (!set) listeners.set(runId, (set = new Set()));
      set.add(onNotice);
      return () => {
        set.delete(onNotice);
        if (set.size === 0) listeners.delete(runId);
      };
    },
  };

  return {
    async publish(events: readonly RunEvent[]) {
      if (events.length === 0) return;
      // Subscribers in this process get the committed events themselves, without waiting for the notice to come
      // back over the LISTEN connection and re-reading the rows; that echo then carries a seq they already have.
      for (const event of events) dispatch(event.runId, { seq: event.seq, event });
      const payloads = events.map(
        (event) => sql`${JSON.stringify({ r: event.runId, s: event.seq } satisfies NoticePayload)}`,
      );
      // One statement for all of them (a subscriber that sees seqs out of order re-reads the table anyway).
      await db.execute(
        sql`select pg_notify(${channel}, payload) from unnest(array[${sql.join(payloads, sql`, `)}]::text[]) as payload`,
      );
    },
    subscribe(orgId: string, runId: string, subscribeOptions: SubscribeOptions = {}) {
      const signal = subscribeOptions.signal
        ? AbortSignal.any([subscribeOptions.signal, closed.signal])
        : closed.signal;
      return subscribeToRun(
        db,
        notifier,
        orgId,
        runId,
        { ...subscribeOptions, signal },
        (delta) => {
          active += delta;
        },
      );
    },
    get activeSubscriptions() {
      return active;
    },
    async close() {
      closed.abort();
      listeners.clear();
      await listening.close();
    },
  };
}
