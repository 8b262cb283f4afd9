import type { FlowSteps, RunFlowResult } from "../flow-run/steps";
import type { Execution } from "./execution";
import type { GroupedWrites } from "./grouped-writes";
import type { RunJournal } from "./journal";
import { RunFailedError } from "../flow-run/steps";

/** How a child run stands, as the driver sees it after driving it as far as it can. */
export type ChildOutcome =
  | { kind: "ended"; result: RunFlowResult }
  | { kind: "failed"; message: string }
  | { kind: "pending" };

export interface DirectStepsDeps {
  journal: RunJournal;
  /** Runs step work within the org's concurrency limit. */
  limit<T>(orgId: string, work: () => Promise<T>): Promise<T>;
  /** Drives a child run in this process as far as it goes. */
  runChild(runId: string, orgId: string): Promise<ChildOutcome>;
  /** Waits up to this long are held in memory; longer ones park the run. */
  holdMs: number;
  maxRetries: number;
  retryDelayMs(attempt: number): number;
}

/** The journal key of a signal: the event's name and the data fields a wait matches on. */
export function signalKey(event: string, match: Readonly<Record<string, string>>): string {
  const fields = Object.keys(match)
    .sort()
    .map((key) => `${key}=${match[key]}`);
  return `signal:${event}:${fields.join("&")}`;
}

/** A node step's result that `run_steps` holds: a skip (no result), or an output `succeed` recorded. */
function inRunStore(result: unknown): boolean {
  return (
    result === undefined ||
    (typeof result === "object" && result !== null && Reflect.get(result, "stored") === true)
  );
}

/** Never settles: what a step call returns once its execution is halted (the run goes on elsewhere, later). */
const halted = () => new Promise<never>(() => undefined);

/**
 * The direct binding of the step tools (docs/executor.md, Direct runs): results are memoised in the run's journal
 * (a step that is recorded returns its result without running), retries back off in memory or by parking the run,
 * and waits are held in memory up to `holdMs`, otherwise the run is parked until its time or its signal.
 */
export function directSteps(
  execution: Execution,
  deps: DirectStepsDeps,
  group: GroupedWrites,
): FlowSteps {
  const { journal } = deps;
  const { recorded, runId } = execution;

  const record = async (stepId: string, result: unknown) => {
    // Once the run's end has committed nothing replays it: its journal is not written any more.
    if (!group.ended) {
      execution.journalled = true;
      await journal.record(runId, stepId, result);
    }
    recorded.set(stepId, result ?? null);
  };

  /** The deadline of a wait, recorded at its first call so a replay keeps it. */
  const deadline = async (stepId: string, ms: number | undefined): Promise<Date | null> => {
    if (ms === undefined) return null;
    const key = `${stepId}#until`;
    const known = recorded.get(key);
    if (typeof known === "string") return new Date(known);
    const until = new Date(Date.now() + ms);
    await record(key, until.toISOString());
    return until;
  };

  /**
   * Waits until `until` or a notification: held in memory when short, otherwise the run parks (and this call never
   * returns; the resumed run replays to here).
   */
  const pause = async (
    until: Date | null,
    wake: { signals: string[]; children: string[] },
  ): Promise<"time" | "notified"> => {
    const remaining = until ? until.getTime() - Date.now() : Number.POSITIVE_INFINITY;
    if (remaining <= 0) return "time";
    const wait = { until, ...wake };
    if (remaining > deps.holdMs) {
      execution.park(wait);
      return halted();
    }
    const outcome = await execution.hold(wait);
    return outcome === "halted" ? halted() : outcome;
  };

  return {
    async run(id, work, options) {
      type T = Awaited<ReturnType<typeof work>>;
      if (recorded.has(id)) return recorded.get(id) as T;
      if (options?.nodeOutcome && execution.stored.has(id)) return execution.stored.get(id) as T;
      let attempt = Number(recorded.get(`${id}#attempt`) ?? 0);
      for (;;) {
        if (execution.isHalted) return halted();
        try {
          return await execution.track(
            (async () => {
              const result = await deps.limit(execution.orgId, () => work(attempt));
              // The run store holds the outcome (docs/executor.md, Direct runs): no journal row.
              if (options?.nodeOutcome && inRunStore(result)) recorded.set(id, result ?? null);
              // A pure step's record commits with the writes its group holds.
              else if (options?.pure && !group.ended) {
                group.holdJournal({ runId, stepId: id, result: result ?? null });
                recorded.set(id, result ?? null);
              } else await record(id, result);
              return result;
            })(),
          );
        } catch (error) {
          if (error instanceof RunFailedError || attempt >= deps.maxRetries) throw error;
          attempt += 1;
          await record(`${id}#attempt`, attempt);
          await pause(new Date(Date.now() + deps.retryDelayMs(attempt - 1)), {
            signals: [],
            children: [],
          });
        }
      }
    },

    async sleep(id, ms) {
      const until = await deadline(id, ms);
      while ((await pause(until, { signals: [], children: [] })) !== "time");
    },

    async sleepUntil(_id, until) {
      while ((await pause(until, { signals: [], children: [] })) !== "time");
    },

    async waitForEvent(id, awaited) {
      if (recorded.has(id)) return recorded.get(id) as { data: unknown } | null;
      const until = await deadline(id, awaited.timeoutMs);
      const key = signalKey(awaited.event, awaited.match);
      for (;;) {
        if (recorded.has(key)) {
          const result = { data: recorded.get(key) };
          await record(id, result);
          return result;
        }
        if ((await pause(until, { signals: [key], children: [] })) === "time") {
          await record(id, null);
          return null;
        }
      }
    },

    async invoke(id, child) {
      const known = recorded.get(id) as { result?: RunFlowResult; error?: string } | undefined;
      if (known?.result) return known.result;
      if (known?.error !== undefined) throw new Error(known.error);
      const until = await deadline(id, child.timeoutMs);
      for (;;) {
        const outcome = await deps.runChild(child.runId, child.orgId);
        if (outcome.kind === "ended") {
          await record(id, { result: outcome.result });
          return outcome.result;
        }
        if (outcome.kind === "failed") {
          await record(id, { error: outcome.message });
          throw new Error(outcome.message);
        }
        if ((await pause(until, { signals: [], children: [child.runId] })) === "time") {
          const message = `sub-flow run ${child.runId} timed out after ${child.timeoutMs ?? 0} ms`;
          await record(id, { error: message });
          throw new Error(message);
        }
      }
    },
  };
}
