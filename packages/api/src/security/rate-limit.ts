/**
 * Request budgets, counted with rate-limiter-flexible's memory store (fixed windows per key, in this process): per
 * API key and per org on every tRPC call (and for the REST layer to reuse), per client address on auth endpoints.
 * One server process counts for itself; see docs/security.md for several processes.
 */
import type { TRPCError } from "@trpc/server";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

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

/** Budgets from the defaults with `options` laid over them (a scope set to null is not limited). */
export function createRateLimits(options: RateLimitOptions = {}): RateLimits {
  const limiters = new Map<RateLimitScope, { rule: RateLimitRule; limiter: RateLimiterMemory }>();
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
    limiters.set(scope, {
      rule,
      limiter: new RateLimiterMemory({
        keyPrefix: scope,
        points: rule.points,
        duration: rule.durationSeconds,
      }),
    });
  }
  return {
    async consume(scope, key) {
      const entry = limiters.get(scope);
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
