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
  /** How long a claimed job stays leased without a heartbeat before another worker may take it (default 30 s). */
  leaseMs?: number;
  /** How often the worker looks for due work when nothing woke it (default 250 ms). */
  pollMs?: number;
  /** Serve-endpoint requests in flight at once (default 32). */
  maxInFlight?: number;
  /** Timeout of one request to a serve endpoint (default 5 min). */
  requestTimeoutMs?: number;
  /** Deduplication window for event ids and idempotency keys (default 24 h). */
  dedupeWindowMs?: number;
  /** Name of this worker in leases (default random). */
  workerId?: string;
  /**
   * Let the SDK run consecutive steps in one request and report each completed step to
   * POST /v1/checkpoint/:runId/async (default true). false keeps one request per step.
   */
  checkpointing?: boolean;
  log?: Logger;
}
