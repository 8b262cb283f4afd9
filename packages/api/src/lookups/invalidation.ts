import type { DbHandle } from "@runnel/db";
import { listenOnChannel } from "@runnel/db";

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
  const feed = fanOut();
  const listening = await listenOnChannel({
    url: options.url,
    channel: LOOKUPS_CHANNEL,
    onNotice: (payload) => {
      if (payload) feed.emit(payload);
    },
    // While the connection is down, and after it comes back, notices may have been lost.
    onLost: () => feed.emit(null),
    onResumed: () => feed.emit(null),
    ...(options.reconnectDelayMs === undefined
      ? {}
      : { reconnectDelayMs: options.reconnectDelayMs }),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  return {
    get live() {
      return listening.live;
    },
    subscribe: feed.subscribe,
    async close() {
      feed.listeners.clear();
      await listening.close();
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
