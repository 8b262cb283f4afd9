/** Retry timing: exponential backoff with jitter, scaled (tests use a small scale), Retry-After honoured. */
export interface BackoffOptions {
  /** Multiplies every computed delay (not Retry-After); 1 = Inngest-like timings, 0.001 for tests. */
  scale: number;
  baseMs?: number;
  maxMs?: number;
  random?: () => number;
}

/** Delay before attempt `attempt + 1` after attempt `attempt` (0-based) failed. */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const base = options.baseMs ?? 15_000;
  const max = options.maxMs ?? 2 * 60 * 60 * 1000;
  const exponential = Math.min(max, base * 2 ** Math.max(0, attempt));
  const jitter = 0.5 + (options.random ?? Math.random)() * 0.5;
  return Math.round(exponential * jitter * options.scale);
}

/** Parses a Retry-After value (seconds, or an HTTP/ISO date) into a delay from `now`. */
export function retryAfterDelay(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.max(0, Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
