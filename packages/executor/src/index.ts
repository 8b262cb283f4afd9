import type { DbHandle } from "@runnel/db";

import type { ExecutorOptions, SendResult } from "./executor";
import type { ListRunsQuery, RunDetail, RunSummary } from "./runs";
import { Executor } from "./executor";
import { createFetchHandler } from "./http";
import { getRun, listRuns, runsForEvent, runStatus } from "./runs";

export type { ExecutorOptions, Logger, LogLevel, SendResult, Transport } from "./executor";
export type { ListRunsQuery, RunDetail, RunSummary, StepView } from "./runs";
export type { RunStatus, StepStatus } from "./schema";
export { executorMigrations } from "./executor";
export { listen } from "./http";

export interface RunnelExecutor {
  /** Applies migrations, loads registered apps and starts the worker. */
  start(): Promise<void>;
  /** Stops the worker after the requests in flight finish (the database handle stays open). */
  stop(): Promise<void>;
  /** Sends events as `inngest.send` would; answers their ids. */
  sendEvents(events: unknown): Promise<SendResult>;
  sendEvent(event: {
    name: string;
    data?: Record<string, unknown>;
    id?: string;
    ts?: number;
  }): Promise<string>;
  /** Registers an app from a /fn/register body (the SDK does this itself on PUT to its serve URL). */
  registerApp(
    body: unknown,
  ): Promise<{ ok: true; modified: boolean } | { ok: false; error: string }>;
  /** Sends PUT to an app's serve URL so that it registers (with the executor's transport). */
  syncApp(url: string): Promise<Response>;
  listRuns(query?: ListRunsQuery): Promise<{ runs: RunSummary[]; nextCursor: string | null }>;
  getRun(id: string): Promise<RunDetail | undefined>;
  /** Runs an event started (none when no function matched). */
  runsForEvent(eventId: string): Promise<RunSummary[]>;
  cancelRun(id: string): Promise<boolean>;
  /** Resolves when the run has ended (completed, failed or cancelled), or rejects after `timeoutMs`. */
  waitForRun(id: string, options?: { timeoutMs?: number }): Promise<RunDetail>;
  /** The HTTP API (SDK endpoints + runs API) as a fetch handler; also usable as the SDK client's `fetch`. */
  fetch: (request: Request) => Promise<Response>;
  readonly db: DbHandle;
}

/**
 * Creates a durable executor over a database handle from @runnel/db. Embedded use: pass the app's serve
 * handler as `transport` (e.g. inngest/edge's serve) and give the Inngest client `fetch: executor.fetch`.
 */
export function createExecutor(options: ExecutorOptions): RunnelExecutor {
  const executor = new Executor(options);
  const fetchHandler = createFetchHandler(executor);
  return {
    db: options.db,
    start: () => executor.start(),
    stop: () => executor.stop(),
    sendEvents: (events) => executor.sendEvents(events),
    sendEvent: (event) => executor.sendEvent(event),
    registerApp: (body) => executor.registerApp(body),
    syncApp: (url) => executor.syncApp(url),
    listRuns: async (query) => {
      await executor.init();
      return listRuns(options.db.db, query);
    },
    getRun: async (id) => {
      await executor.init();
      return getRun(options.db.db, id);
    },
    runsForEvent: async (eventId) => {
      await executor.init();
      return runsForEvent(options.db.db, eventId);
    },
    cancelRun: (id) => executor.cancelRun(id),
    waitForRun: async (id, { timeoutMs = 30_000 } = {}) => {
      await executor.init();
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const status = await runStatus(options.db.db, id);
        if (status && status !== "running") {
          const run = await getRun(options.db.db, id);
          if (run) return run;
        }
        if (Date.now() > deadline)
          throw new Error(
            `run ${id} did not end within ${timeoutMs} ms (status ${status ?? "unknown"})`,
          );
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    fetch: fetchHandler,
  };
}
