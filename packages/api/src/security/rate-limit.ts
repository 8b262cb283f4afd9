/**
 * Request budgets, counted with rate-limiter-flexible (fixed windows per key): per API key and per org on every tRPC
 * and REST call, per org on webhook deliveries, per client address on auth endpoints. On a Postgres server the
 * counters live in one table of the app database, so every server process shares them; on PGlite (one process by
 * design) they live in memory.
 */
import type { TRPCError } from "@trpc/server";
import type { RateLimiterAbstract } from "rate-limiter-flexible";
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";

import type { DbHandle } from "@runnel/db";

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
}

/** What node-postgres' and Neon's pools have in common, as far as the Postgres store needs it. */
export interface PgQueryable {
  query(config: { text: string; values?: unknown[]; name?: string }): Promise<{ rows: unknown[] }>;
}

/** Where the counters live: this process's memory, or a table on a Postgres server shared by every process. */
export type RateLimitStore = { kind: "memory" } | { kind: "postgres"; pool: PgQueryable };

/** The table the Postgres store keeps its counters in (created on first use, `key`/`points`/`expire`). */
export const RATE_LIMIT_TABLE = "runnel_rate_limits";

/** Postgres for a server driver (node-postgres or Neon pool), memory for PGlite. */
export function rateLimitStoreFor(handle: Pick<DbHandle, "db" | "driver">): RateLimitStore {
  if (handle.driver === "pglite") return { kind: "memory" };
  const pool = (handle.db as unknown as { $client?: PgQueryable }).$client;
  if (typeof pool?.query !== "function") {
    throw new Error(`the ${handle.driver} database handle has no pool to keep rate limits in`);
  }
  return { kind: "postgres", pool };
}

type Limiters = Map<RateLimitScope, { rule: RateLimitRule; limiter: RateLimiterAbstract }>;

/**
 * A limiter on the counters table. The first one creates the table (concurrent creators are fine: the library
 * ignores the duplicate); the others are told it exists.
 */
function postgresLimiter(
  pool: PgQueryable,
  opts: { keyPrefix: string; points: number; duration: number },
  tableCreated: boolean,
): Promise<RateLimiterPostgres> {
  const options = {
    ...opts,
    storeClient: pool,
    storeType: "pool",
    tableName: RATE_LIMIT_TABLE,
    tableCreated,
    // A failing database must not turn every request into an error: this process counts alone meanwhile.
    insuranceLimiter: new RateLimiterMemory(opts),
  };
  if (tableCreated) return Promise.resolve(new RateLimiterPostgres(options));
  return new Promise((resolve, reject) => {
    const limiter: RateLimiterPostgres = new RateLimiterPostgres(options, (error?: unknown) =>
      error ? reject(toError(error)) : resolve(limiter),
    );
  });
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

async function buildLimiters(
  rules: Map<RateLimitScope, RateLimitRule>,
  store: RateLimitStore,
): Promise<Limiters> {
  const limiters: Limiters = new Map();
  let tableCreated = false;
  for (const [scope, rule] of rules) {
    const opts = { keyPrefix: scope, points: rule.points, duration: rule.durationSeconds };
    const limiter =
      store.kind === "postgres"
        ? await postgresLimiter(store.pool, opts, tableCreated)
        : new RateLimiterMemory(opts);
    tableCreated = true;
    limiters.set(scope, { rule, limiter });
  }
  return limiters;
}

/**
 * Budgets from the defaults with `options` laid over them (a scope set to null is not limited), counted in memory
 * or in the store `store()` resolves to (asked on the first request, so building the limits opens nothing; a
 * failure is not kept, the next request asks again).
 */
export function createRateLimits(
  options: RateLimitOptions = {},
  store: () => Promise<RateLimitStore> = () => Promise.resolve({ kind: "memory" }),
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
  let built: Promise<Limiters> | undefined;
  const limiters = () =>
    (built ??= store()
      .then((resolved) => buildLimiters(rules, resolved))
      .catch((error: unknown) => {
        built = undefined;
        throw error;
      }));
  return {
    async consume(scope, key) {
      if (!rules.has(scope)) return;
      const entry = (await limiters()).get(scope);
      if (!entry) return;
      try {
        await entry.limiter.consume(key);
      } catch (error) {
        if (error instanceof RateLimiterRes) {
          const seconds = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
          throw new RateLimitExceededError(scope, seconds, entry.rule);
        }
        throw error;
      }
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
