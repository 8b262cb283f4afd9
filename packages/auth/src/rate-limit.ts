/**
 * A fixed-window counter per key, kept in this process's memory. Used to slow down password guessing: after
 * `limit` failures for one email within `windowMs`, further attempts are refused until the window ends. (With
 * several server processes each keeps its own count.)
 */
export interface RateLimiter {
  /** True when the key has used up its attempts in the current window. */
  blocked(key: string): boolean;
  /** Counts one attempt (a failure) against the key. */
  hit(key: string): void;
  /** Forgets the key (after a success). */
  reset(key: string): void;
}

export function createRateLimiter(options: {
  limit: number;
  windowMs: number;
  now?: () => number;
  maxKeys?: number;
}): RateLimiter {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 10_000;
  const windows = new Map<string, { count: number; resetAt: number }>();

  function current(key: string) {
    const entry = windows.get(key);
    if (entry && entry.resetAt <= now()) {
      windows.delete(key);
      return undefined;
    }
    return entry;
  }

  return {
    blocked(key) {
      return (current(key)?.count ?? 0) >= options.limit;
    },
    hit(key) {
      const entry = current(key);
      if (entry) {
        entry.count += 1;
        return;
      }
      if (windows.size >= maxKeys) {
        for (const [k, v] of windows) if (v.resetAt <= now()) windows.delete(k);
        if (windows.size >= maxKeys) {
          const oldest = windows.keys().next();
          if (!oldest.done) windows.delete(oldest.value);
        }
      }
      windows.set(key, { count: 1, resetAt: now() + options.windowMs });
    },
    reset(key) {
      windows.delete(key);
    },
  };
}
