import type { RunStore } from "../../runs/run-store";
import type { RecordStepFinishInput, RecordStepStartInput } from "../../runs/store";

/**
 * The run store as one run's steps write it. `pureStepRun` records a pure node's start and outcome (docs/runtime.md,
 * Steps committed together): a binding that commits in groups may hold it until `flush`, which it must reach before
 * any node with effects starts, before a Respond answer is given and before the run ends; every other write commits
 * in order after what is held.
 */
export type RunWrites = RunStore & {
  pureStepRun(
    orgId: string,
    start: RecordStepStartInput & { startedMsAgo: number },
    finish: RecordStepFinishInput,
  ): Promise<void>;
  /** Records a node skipped by dead-path elimination (pure, like `pureStepRun`). */
  skipStep(orgId: string, runId: string, nodeId: string): Promise<void>;
  /** Commits whatever is held. */
  flush(): Promise<void>;
};

/** Writes that commit at once (the Inngest binding: every step's writes commit inside the step). */
export function immediateWrites(store: RunStore): RunWrites {
  return {
    ...store,
    pureStepRun: async (orgId, start, finish) => {
      await store.recordStepRun(orgId, start, finish);
    },
    skipStep: async (orgId, runId, nodeId) => {
      await store.upsertStep(orgId, { runId, nodeId, attempt: 0, status: "skipped" });
    },
    flush: () => Promise.resolve(),
  };
}
