import type { JsonValue } from "@runnel/nodes";

/** How long a finished run's Respond output stays for a caller that asks late. */
const KEEP_MS = 10_000;
/** Finished runs remembered at most (oldest dropped first). */
const KEEP_RUNS = 10_000;

export type RespondOutcome =
  | { kind: "responded"; nodeId: string; value: JsonValue }
  /** The run ended (or parked) without a Respond output for the caller. */
  | { kind: "ended" }
  /** The run is not executing in this process: ask the event bus instead. */
  | { kind: "elsewhere" }
  | { kind: "timeout" };

interface Tracked {
  outputs: Map<string, JsonValue>;
  /** "parked": the run waits durably and may go on in any process. */
  state: "running" | "ended" | "parked";
  listeners: Set<() => void>;
  finishedAt: number;
}

/**
 * The synchronous caller answered in memory (docs/runtime.md, Respond): the direct driver tracks the runs it
 * executes, the node attempt reports each Respond output once it is committed, and a webhook request waiting for
 * its run in the same process is resolved from here, without a bus round trip or a read of run_events.
 */
export function createRunResponses() {
  const runs = new Map<string, Tracked>();

  const forgetOld = () => {
    const cutoff = Date.now() - KEEP_MS;
    for (const [runId, run] of runs) {
      if (runs.size <= KEEP_RUNS && (run.state === "running" || run.finishedAt > cutoff)) break;
      if (run.state !== "running") runs.delete(runId);
    }
  };

  const wake = (run: Tracked) => {
    for (const listener of [...run.listeners]) listener();
  };

  return {
    /** The run executes in this process from now on. */
    track(runId: string) {
      const known = runs.get(runId);
      if (known) known.state = "running";
      else
        runs.set(runId, {
          outputs: new Map(),
          state: "running",
          listeners: new Set(),
          finishedAt: 0,
        });
    },
    /** A Respond node's output, committed. */
    responded(runId: string, nodeId: string, value: JsonValue) {
      const run = runs.get(runId);
      if (!run) return;
      run.outputs.set(nodeId, value);
      wake(run);
    },
    /** The run stopped executing here: it ended, or it was parked or halted (it goes on later, anywhere). */
    finished(runId: string, how: "ended" | "parked") {
      const run = runs.get(runId);
      if (!run) return;
      run.state = how;
      run.finishedAt = Date.now();
      wake(run);
      forgetOld();
    },
    /** The first output of one of `nodeIds`, waiting at most `ms`. */
    async wait(
      runId: string,
      nodeIds: ReadonlySet<string>,
      ms: number,
      signal?: AbortSignal,
    ): Promise<RespondOutcome> {
      const run = runs.get(runId);
      if (!run) return { kind: "elsewhere" };
      const check = (): RespondOutcome | undefined => {
        for (const [nodeId, value] of run.outputs)
          if (nodeIds.has(nodeId)) return { kind: "responded", nodeId, value };
        if (run.state === "ended") return { kind: "ended" };
        return run.state === "parked" ? { kind: "elsewhere" } : undefined;
      };
      const now = check();
      if (now) return now;
      let listener: (() => void) | undefined;
      let timer: NodeJS.Timeout | undefined;
      let onAbort: (() => void) | undefined;
      try {
        return await new Promise<RespondOutcome>((resolve) => {
          listener = () => {
            const outcome = check();
            if (outcome) resolve(outcome);
          };
          run.listeners.add(listener);
          timer = setTimeout(() => resolve({ kind: "timeout" }), ms);
          onAbort = () => resolve({ kind: "timeout" });
          signal?.addEventListener("abort", onAbort);
        });
      } finally {
        if (listener) run.listeners.delete(listener);
        clearTimeout(timer);
        if (onAbort) signal?.removeEventListener("abort", onAbort);
      }
    },
  };
}

export type RunResponses = ReturnType<typeof createRunResponses>;
