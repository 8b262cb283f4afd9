import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";

export interface ChannelListenOptions {
  /** A direct (non-pooled) Postgres URL: LISTEN needs a session of its own. */
  url: string;
  channel: string;
  /** Each notice's payload ("" when the sender gave none). */
  onNotice: (payload: string) => void;
  /** The connection dropped: notices are not arriving until `onResumed`. */
  onLost?: () => void;
  /** Listening again after a drop: notices sent in between were lost. */
  onResumed?: () => void;
  /** First delay before reconnecting a dropped connection (doubles up to 5 s). Default 100 ms. */
  reconnectDelayMs?: number;
  onError?: (error: Error) => void;
}

export interface ChannelListener {
  /** True while the LISTEN connection is up. */
  readonly live: boolean;
  close(): Promise<void>;
}

/**
 * LISTEN on a channel over one dedicated node-postgres connection, re-established with backoff when it drops.
 * Resolves once listening; a first connection that fails rejects.
 */
export async function listenOnChannel(options: ChannelListenOptions): Promise<ChannelListener> {
  const { url, channel, onNotice, onError } = options;
  const closed = new AbortController();
  let client: pg.Client | undefined;
  let reconnecting = false;

  async function connect(): Promise<void> {
    const next = new pg.Client({ connectionString: url, keepAlive: true });
    next.on("notification", (message) => {
      if (message.channel === channel) onNotice(message.payload ?? "");
    });
    next.on("error", (error) => {
      onError?.(error);
      dropped(next);
    });
    next.on("end", () => dropped(next));
    try {
      await next.connect();
      await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
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
    options.onLost?.();
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
      // close() aborts the wait; the loop condition then ends the attempts.
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
    if (client) options.onResumed?.();
  }

  await connect();
  return {
    get live() {
      return client !== undefined;
    },
    async close() {
      closed.abort();
      const current = client;
      client = undefined;
      if (current) {
        current.removeAllListeners();
        current.on("error", () => undefined);
        await current.end().catch(() => undefined);
      }
    },
  };
}
