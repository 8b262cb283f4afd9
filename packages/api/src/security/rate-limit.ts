/**
 * Request budgets in fixed windows per key: per API key and per org on every tRPC and REST call, per org on webhook
 * deliveries, per client address on auth endpoints. Counted in this process's memory (rate-limit-counter.ts); on a
 * Postgres server the counts are flushed in batches to one table of the app database, which every server process
 * shares, with a bounded overshoot (docs/security.md, "Rate limits"). On PGlite (one process by design) the memory
 * counts are the whole truth.
 */
import type { TRPCError } from "@trpc/server";

import type { DbHandle } from "@runnel/db";

import type { CountStore, WindowRule } from "./rate-limit-counter";
import { createWindowCounter } from "./rate-limit-counter";

/** `points` requests per `durationSeconds` window; `null` turns that budget off. */
export interface RateLimitRule {
  points: number;
  durationSeconds: number;
}

export type RateLimitScope = "apiKey" | "org" | "authIp";

export type RateLimitOptions = Partial<Record<RateLimitScope, RateLimitRule | null>>;

export const DEFAULT_RATE_LIMITS: Record<RateLimitScope, RateLimitRule> = {
  /** Every call made with one API key. */
  apiKey: { points: 600, durationSeconds: 60 },
  /** Every org-scoped call in one org, whoever makes it (sessions and keys together). */
  org: { points: 3000, durationSeconds: 60 },
  /** Sign-ups (and other auth endpoints) from one client address. */
  authIp: { points: 20, durationSeconds: 15 * 60 },
};

const SCOPE_LABEL: Record<RateLimitScope, string> = {
  apiKey: "this API key",
  org: "this org",
  authIp: "sign-ups from this address",
};

/** Over a budget: `retryAfterSeconds` is when the window ends (the Retry-After header). */
export class RateLimitExceededError extends Error {
  readonly scope: RateLimitScope;
  readonly retryAfterSeconds: number;
  constructor(scope: RateLimitScope, retryAfterSeconds: number, rule: RateLimitRule) {
    super(
      `Too many requests for ${SCOPE_LABEL[scope]} (limit ${rule.points} per ${rule.durationSeconds} s); try again in ${retryAfterSeconds} s`,
    );
    this.name = "RateLimitExceededError";
    this.scope = scope;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface RateLimits {
  /** Counts one request against `key` in `scope`; throws RateLimitExceededError when its budget is used up. */
  consume(scope: RateLimitScope, key: string): Promise<void>;
  /** Writes the counts not yet in the shared store (tests, shutdown). */
  flush(): Promise<void>;
  /** Stops the flush timer after a last flush. */
  close(): Promise<void>;
}

/** What node-postgres' and Neon's pools have in common, as far as the Postgres store needs it. */
export interface PgQueryable {
  query(config: { text: string; values?: unknown[] }): Promise<{ rows: unknown[] }>;
}

/** Where the counters live: this process's memory, or a table on a Postgres server shared by every process. */
export type RateLimitStore = { kind: "memory" } | { kind: "postgres"; pool: PgQueryable };

/** The table the Postgres store keeps its counts in, one row per key and window (created on first use). */
export const RATE_LIMIT_TABLE = "runnel_rate_limit_windows";

/** How often a process writes its counts to the shared store (and so learns the other processes' counts). */
export const DEFAULT_FLUSH_INTERVAL_MS = 1000;

/**
 * Requests a process admits per key between two syncs with the shared store: 5 % of the budget (at least 1), so the
 * budget is overshot by at most 5 % per server process.
 */
export function defaultAllowance(rule: WindowRule): number {
  return Math.max(1, Math.floor(rule.points / 20));
}

/** Postgres for a server driver (node-postgres or Neon pool), memory for PGlite. */
export function rateLimitStoreFor(handle: Pick<DbHandle, "db" | "driver">): RateLimitStore {
  if (handle.driver === "pglite") return { kind: "memory" };
  const pool = (handle.db as unknown as { $client?: PgQueryable }).$client;
  if (typeof pool?.query !== "function") {
    throw new Error(`the ${handle.driver} database handle has no pool to keep rate limits in`);
  }
  return { kind: "postgres", pool };
}

/** How often the Postgres store deletes rows of windows that have ended. */
const CLEANUP_INTERVAL_MS = 10 * 60 * 1000;

/** Counts in RATE_LIMIT_TABLE: one `INSERT … SELECT FROM unnest … ON CONFLICT` statement per flushed batch. */
export function postgresCountStore(pool: PgQueryable): CountStore {
  let table: Promise<void> | undefined;
  let cleanedAt = Date.now();
  const ensureTable = () =>
    (table ??= pool
      .query({
        text: `create table if not exists ${RATE_LIMIT_TABLE} (
          key text not null, window_start bigint not null, count integer not null,
          expires_at timestamptz not null, primary key (key, window_start))`,
      })
      .then(
        () => undefined,
        (error: unknown) => {
          table = undefined;
          // Two processes creating it at once: the loser's duplicate is fine.
          if ((error as { code?: string }).code !== "23505") throw error;
        },
      ));
  return {
    async add(increments) {
      await ensureTable();
      const { rows } = await pool.query({
        text: `insert into ${RATE_LIMIT_TABLE} as w (key, window_start, count, expires_at)
          select k, s, c, to_timestamp((s + d) / 1000.0)
          from unnest($1::text[], $2::bigint[], $3::int[], $4::bigint[]) as t(k, s, c, d)
          on conflict (key, window_start) do update set count = w.count + excluded.count
          returning key, window_start, count`,
        values: [
          increments.map((i) => i.key),
          increments.map((i) => i.windowStart),
          increments.map((i) => i.count),
          increments.map((i) => i.durationMs),
        ],
      });
      if (Date.now() - cleanedAt > CLEANUP_INTERVAL_MS) {
        cleanedAt = Date.now();
        await pool.query({ text: `delete from ${RATE_LIMIT_TABLE} where expires_at < now()` });
      }
      return (rows as { key: string; window_start: string | number; count: number }[]).map(
        (row) => ({
          key: row.key,
          windowStart: Number(row.window_start),
          count: row.count,
        }),
      );
    },
  };
}

export interface RateLimitCounting {
  /** Default 1000 ms. */
  flushIntervalMs?: number;
  /** Requests per key a process admits between syncs; default defaultAllowance (5 % of the budget). */
  allowance?: (rule: WindowRule) => number;
  now?: () => number;
  onFlushError?: (error: unknown) => void;
}

/**
 * Budgets from the defaults with `options` laid over them (a scope set to null is not limited), counted in memory
 * and, for a Postgres store, flushed every `flushIntervalMs` (the store is asked for on the first request, so building
 * the limits opens nothing; a failure is not kept, the next request asks again).
 */
export function createRateLimits(
  options: RateLimitOptions = {},
  store: () => Promise<RateLimitStore> = () => Promise.resolve({ kind: "memory" }),
  counting: RateLimitCounting = {},
): RateLimits {
  const rules = new Map<RateLimitScope, RateLimitRule>();
  for (const scope of Object.keys(DEFAULT_RATE_LIMITS) as RateLimitScope[]) {
    const rule = options[scope] === undefined ? DEFAULT_RATE_LIMITS[scope] : options[scope];
    if (rule === null) continue;
    if (!Number.isInteger(rule.points) || rule.points < 1)
      throw new Error(`Rate limit ${scope}: points must be a whole number ≥ 1, got ${rule.points}`);
    if (!Number.isInteger(rule.durationSeconds) || rule.durationSeconds < 1) {
      throw new Error(
        `Rate limit ${scope}: durationSeconds must be a whole number ≥ 1, got ${rule.durationSeconds}`,
      );
    }
    rules.set(scope, rule);
  }
  let timer: NodeJS.Timeout | undefined;
  let counter: Promise<ReturnType<typeof createWindowCounter>> | undefined;
  const counterOnce = () =>
    (counter ??= store()
      .then((resolved) => {
        const made = createWindowCounter({
          ...(resolved.kind === "postgres" ? { store: postgresCountStore(resolved.pool) } : {}),
          allowance: counting.allowance ?? defaultAllowance,
          ...(counting.now ? { now: counting.now } : {}),
          ...(counting.onFlushError ? { onFlushError: counting.onFlushError } : {}),
        });
        if (resolved.kind === "postgres") {
          timer = setInterval(
            () => void made.flush().catch(() => undefined),
            counting.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS,
          );
          timer.unref();
        }
        return made;
      })
      .catch((error: unknown) => {
        counter = undefined;
        throw error;
      }));
  return {
    async consume(scope, key) {
      const rule = rules.get(scope);
      if (!rule) return;
      const admission = await (
        await counterOnce()
      ).admit(`${scope}:${key}`, { points: rule.points, durationMs: rule.durationSeconds * 1000 });
      if (!admission.ok) {
        throw new RateLimitExceededError(
          scope,
          Math.max(1, Math.ceil(admission.retryAfterMs / 1000)),
          rule,
        );
      }
    },
    async flush() {
      if (counter) await (await counter).flush();
    },
    async close() {
      clearInterval(timer);
      timer = undefined;
      if (counter) await (await counter).flush().catch(() => undefined);
    },
  };
}

/** The rate-limit error behind a tRPC error, if that is what it is. */
export function rateLimitCause(error: TRPCError): RateLimitExceededError | undefined {
  return error.cause instanceof RateLimitExceededError ? error.cause : undefined;
}

/**
 * For tRPC's fetch adapter (`responseMeta`): a `Retry-After` header (seconds) when a call of the request ran over
 * a budget; tRPC itself answers such a call with HTTP 429 (TOO_MANY_REQUESTS).
 */
export function rateLimitResponseMeta(opts: { errors: TRPCError[] }): { headers?: Headers } {
  let seconds = 0;
  for (const error of opts.errors) {
    seconds = Math.max(seconds, rateLimitCause(error)?.retryAfterSeconds ?? 0);
  }
  return seconds > 0 ? { headers: new Headers({ "retry-after": String(seconds) }) } : {};
}
