/**
 * Fixed-window request counters kept in this process and flushed to a shared store in batches (docs/security.md,
 * "Rate limits"): the hot path makes no statement per request. Each key's window is aligned to the clock
 * (`floor(now / duration)`), so every process counts the same window. A process admits a request while the window's
 * total it last read from the store plus what it admitted since stays under the budget, and at most `allowance`
 * requests per key between two syncs with the store: past that, the request waits for a flush, whose answer is the
 * window's total across every process. So the budget is overshot by at most `allowance` per process per window.
 */

/** One key's budget. */
export interface WindowRule {
  points: number;
  durationMs: number;
}

/** What the store answers for each flushed key: the window's total across every process. */
export interface FlushedCount {
  key: string;
  windowStart: number;
  count: number;
}

/** The shared store: adds each `(key, window)` increment and returns the totals (one statement for the batch). */
export interface CountStore {
  add(
    increments: { key: string; windowStart: number; durationMs: number; count: number }[],
  ): Promise<FlushedCount[]>;
}

interface Window {
  start: number;
  durationMs: number;
  /** The window's total in the store when this process last synced. */
  known: number;
  /** Admitted here since, not yet in the store. */
  pending: number;
  /** Being written by the flush in flight. */
  flushing: number;
}

export type Admission = { ok: true } | { ok: false; retryAfterMs: number };

export interface CounterOptions {
  /** Without a store the counts are this process's alone (PGlite: one process), and exact. */
  store?: CountStore;
  /** Requests a process may admit per key between two syncs (the per-process overshoot bound). */
  allowance: (rule: WindowRule) => number;
  now?: () => number;
  /** Called when a flush fails; the process then goes on counting alone until one succeeds. */
  onFlushError?: (error: unknown) => void;
}

export function createWindowCounter(options: CounterOptions) {
  const now = options.now ?? Date.now;
  const windows = new Map<string, Window>();
  let inFlight: Promise<void> | undefined;

  function windowOf(key: string, rule: WindowRule, at: number): Window {
    const start = Math.floor(at / rule.durationMs) * rule.durationMs;
    let window = windows.get(key);
    if (!window || window.start !== start) {
      // A new window: whatever was pending for the old one no longer matters.
      window = { start, durationMs: rule.durationMs, known: 0, pending: 0, flushing: 0 };
      windows.set(key, window);
    }
    return window;
  }

  /** Writes every pending count in one batch and takes the totals the store answers. */
  function flush(): Promise<void> {
    if (inFlight) return inFlight;
    const store = options.store;
    const batch = [...windows].filter(([, window]) => window.pending > 0);
    if (!store || batch.length === 0) return Promise.resolve();
    for (const [, window] of batch) {
      window.flushing = window.pending;
      window.pending = 0;
    }
    inFlight = store
      .add(
        batch.map(([key, window]) => ({
          key,
          windowStart: window.start,
          durationMs: window.durationMs,
          count: window.flushing,
        })),
      )
      .then((totals) => {
        for (const total of totals) {
          const window = windows.get(total.key);
          if (window?.start === total.windowStart) {
            window.known = Math.max(window.known, total.count);
            window.flushing = 0;
          }
        }
      })
      .catch((error: unknown) => {
        // Not written: count them as pending again, to be written by the next flush.
        for (const [, window] of batch) {
          window.pending += window.flushing;
          window.flushing = 0;
        }
        options.onFlushError?.(error);
        throw error;
      })
      .finally(() => {
        inFlight = undefined;
        const at = now();
        for (const [key, window] of windows) {
          if (window.start + window.durationMs <= at && window.pending === 0) windows.delete(key);
        }
      });
    return inFlight;
  }

  async function admit(key: string, rule: WindowRule): Promise<Admission> {
    const allowance = options.store ? Math.max(1, options.allowance(rule)) : Infinity;
    let storeAnswers = true;
    for (;;) {
      const at = now();
      const window = windowOf(key, rule, at);
      const used = window.known + window.flushing + window.pending;
      if (used >= rule.points)
        return { ok: false, retryAfterMs: window.start + window.durationMs - at };
      // Within its allowance, or the store is not answering (then this process counts alone).
      if (window.pending < allowance || !storeAnswers) {
        window.pending += 1;
        return { ok: true };
      }
      storeAnswers = await flush().then(
        () => true,
        () => false,
      );
    }
  }

  return { admit, flush, size: () => windows.size };
}
