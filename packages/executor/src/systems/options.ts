import type { DbHandle } from "@runnel/db";

/** Calls a serve endpoint: global fetch over HTTP, or an in-process serve handler (e.g. inngest/edge's serve). */
export type Transport = (request: Request) => Promise<Response>;

export type LogLevel = "debug" | "info" | "warn" | "error";
export type Logger = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

export interface ExecutorOptions {
  db: DbHandle;
  /** How serve endpoints are reached. Default: HTTP with global fetch. */
  transport?: Transport;
  /** Apply the executor's migrations on start (default true). */
  migrate?: boolean;
  /** Multiplies retry backoff delays (default 1: 15 s, 30 s, 60 s, ... with jitter, up to 2 h). */
  retryScale?: number;
  /**
   * How long a claimed job stays leased without a heartbeat before another worker may take it over (default
   * 5 s; the worker renews its leases every third of it).
   */
  leaseMs?: number;
  /** How often the worker looks for due work when nothing woke it (default 250 ms). */
  pollMs?: number;
  /** Serve-endpoint requests in flight at once (default 32). */
  maxInFlight?: number;
  /** Timeout of one request to a serve endpoint (default 5 min). */
  requestTimeoutMs?: number;
  /** Deduplication window for event ids and idempotency keys (default 24 h). */
  dedupeWindowMs?: number;
  /**
   * A stable name of this worker, borne by one process at a time (e.g. a pod name). On start the executor
   * releases the leases an earlier process held under it, so its work resumes at once after a crash instead
   * of when those leases expire. Default: a random name (nothing to release).
   */
  workerId?: string;
  /**
   * This executor is the only process using the database (its host proved it, e.g. by holding the PGlite
   * data-folder lock): on start it releases every lease, all of them left by a dead predecessor. Default: true
   * on PGlite (one process by construction), false on a Postgres server. Never set it when another executor
   * process, or another executor on the same PGlite handle, may be running.
   */
  exclusive?: boolean;
  /**
   * Let the SDK run consecutive steps in one request and report each completed step to
   * POST /v1/checkpoint/:runId/async (default true). false keeps one request per step.
   */
  checkpointing?: boolean;
  log?: Logger;
}
