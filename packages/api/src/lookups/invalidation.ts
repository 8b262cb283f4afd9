import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";

import type { DbHandle } from "@runnel/db";

/** The channel the database's triggers notify on (packages/db/drizzle/0006_lookups_notify.sql), payload: org id. */
export const LOOKUPS_CHANNEL = "runnel_lookups";

/** Change notices for cached lookups. */
export interface LookupChanges {
  /** True while notices arrive; while false (not yet connected, reconnecting) nothing may be served from a cache. */
  readonly live: boolean;
  /** `listener(orgId)` for each change; `listener(null)` when notices may have been lost (everything is stale). */
  subscribe(listener: (orgId: string | null) => void): () => void;
  close(): Promise<void>;
}

export interface PgChangesOptions {
  /** A direct (non-pooled) Postgres URL for the LISTEN connection. */
  url: string;
  /** First delay before reconnecting a dropped connection (doubles up to 5 s). Default 100 ms. */
  reconnectDelayMs?: number;
  onError?: (error: Error) => void;
}

function fanOut() {
  const listeners = new Set<(orgId: string | null) => void>();
  return {
    listeners,
    emit(orgId: string | null) {
      for (const listener of listeners) listener(orgId);
    },
    subscribe: (listener: (orgId: string | null) => void): (() => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/**
 * Notices over a dedicated node-postgres connection: LISTEN on the channel; a dropped connection makes the feed not
 * live (caches are bypassed), is re-established with backoff, and then tells listeners everything may be stale.
 */
export async function listenOnPostgres(options: PgChangesOptions): Promise<LookupChanges> {
  const { url, onError } = options;
  const feed = fanOut();
  const closed = new AbortController();
  let client: pg.Client | undefined;
  let reconnecting = false;

  async function connect(): Promise<void> {
    const next = new pg.Client({ connectionString: url, keepAlive: true });
    next.on("notification", (message) => {
      if (message.channel === LOOKUPS_CHANNEL && message.payload) feed.emit(message.payload);
    });
    next.on("error", (error) => {
      onError?.(error);
      dropped(next);
    });
    next.on("end", () => dropped(next));
    try {
      await next.connect();
      await next.query(`LISTEN ${pg.escapeIdentifier(LOOKUPS_CHANNEL)}`);
    } catch (error) {
      next.removeAllListeners();
      await next.end().catch(() => undefined);
      throw error;
    }
    if (closed.signal.aborted) {
      next.removeAllListeners();
      await next.end();
      return;
    }
    client = next;
  }

  function dropped(lost: pg.Client): void {
    if (client !== lost) return;
    client = undefined;
    feed.emit(null);
    lost.removeAllListeners();
    lost.on("error", () => undefined);
    void lost.end().catch(() => undefined);
    void reconnect();
  }

  async function reconnect(): Promise<void> {
    if (reconnecting) return;
    reconnecting = true;
    let delay = options.reconnectDelayMs ?? 100;
    while (!closed.signal.aborted && !client) {
      await sleep(delay, undefined, { signal: closed.signal }).catch(() => undefined);
      if (closed.signal.aborted) break;
      try {
        await connect();
      } catch (error) {
        onError?.(error instanceof Error ? error : new Error(String(error)));
        delay = Math.min(delay * 2, 5000);
      }
    }
    reconnecting = false;
    // Notices sent while the connection was down are lost.
    if (client) feed.emit(null);
  }

  await connect();
  return {
    get live() {
      return client !== undefined;
    },
    subscribe: feed.subscribe,
    async close() {
      closed.abort();
      const current = client;
      client = undefined;
      feed.listeners.clear();
      if (current) {
        current.removeAllListeners();
        await current.end().catch(() => undefined);
      }
    },
  };
}

/** Notices from an in-process PGlite database: its NOTIFYs reach `listen` callbacks in this process. */
export async function listenOnPglite(
  pglite: NonNullable<DbHandle["pglite"]>,
): Promise<LookupChanges> {
  const feed = fanOut();
  let live = true;
  const unlisten = await pglite.listen(LOOKUPS_CHANNEL, (payload) => feed.emit(payload));
  return {
    get live() {
      return live;
    },
    subscribe: feed.subscribe,
    async close() {
      live = false;
      feed.listeners.clear();
      await unlisten().catch(() => undefined);
    },
  };
}

/** The notice feed that fits a database handle: PGlite in process, a server over LISTEN (needs the URL). */
export function listenForLookupChanges(
  handle: Pick<DbHandle, "driver" | "pglite">,
  url: string | undefined,
  onError?: (error: Error) => void,
): Promise<LookupChanges> {
  if (handle.driver === "pglite") {
    if (!handle.pglite)
      throw new Error("the PGlite database handle has no PGlite instance to listen on");
    return listenOnPglite(handle.pglite);
  }
  if (!url)
    throw new Error(
      `the ${handle.driver} database handle needs its URL to listen for lookup changes`,
    );
  return listenOnPostgres({ url, ...(onError ? { onError } : {}) });
}
