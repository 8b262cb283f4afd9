import type { RunEvent, RunEventBus } from "@runnel/engine";

/**
 * Follows a run's events (stored ones first, then live) for at most `ms`, calling `pick` on each; resolves with the
 * first value `pick` returns, `"ended"` when the run ended without one, or `"timeout"`. Stops early, with
 * `"timeout"`, when `signal` aborts (the caller went away).
 */
export async function watchRun<T>(
  bus: RunEventBus,
  orgId: string,
  runId: string,
  ms: number,
  pick: (event: RunEvent) => T | undefined,
  signal?: AbortSignal,
): Promise<T | "ended" | "timeout"> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  const onAbort = () => controller.abort();
  signal?.addEventListener("abort", onAbort);
  try {
    for await (const event of bus.subscribe(orgId, runId, { signal: controller.signal })) {
      const picked = pick(event);
      if (picked !== undefined) return picked;
    }
    return controller.signal.aborted ? "timeout" : "ended";
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    controller.abort();
  }
}
