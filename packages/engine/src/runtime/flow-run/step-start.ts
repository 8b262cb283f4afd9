import type { RecordStepStartInput } from "../../runs/store";
import type { RunContext } from "./context";

/** How long a node attempt may run before its `running` record is written on its own. */
const START_RECORD_DELAY_MS = 20;

/**
 * The `running` record of a node attempt, written late: a node that fires within START_RECORD_DELAY_MS
 * (Set, If, Respond…) records its start and its outcome in one transaction (recordStepRun); a slower one
 * records its start when the delay passes, while it runs, as before. Either way both are committed before the
 * step ends, i.e. before the step's result is recorded.
 */
export function stepStart(context: RunContext, nodeId: string, stepAttempt: number) {
  const { store } = context;
  let pending: RecordStepStartInput | undefined;
  let began = 0;
  let written: Promise<unknown> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const write = () => {
    clearTimeout(timer);
    if (!written && pending) written = store.recordStepStart(context.orgId, pending);
    return written;
  };
  return {
    begin(input: Record<string, unknown>) {
      pending = { runId: context.runId, nodeId, attempt: stepAttempt, input };
      began = performance.now();
      // A failure here surfaces from flush(), which awaits the same promise.
      timer = setTimeout(() => void write()?.catch(() => undefined), START_RECORD_DELAY_MS);
    },
    /** Writes the start now unless it is written or being written, and waits for it. */
    async flush() {
      await write();
    },
    /** The start, when nothing wrote it yet: the caller writes it with the outcome. */
    take(): (RecordStepStartInput & { startedMsAgo: number }) | undefined {
      clearTimeout(timer);
      if (written || !pending) return undefined;
      written = Promise.resolve();
      return { ...pending, startedMsAgo: performance.now() - began };
    },
  };
}

export type StepStart = ReturnType<typeof stepStart>;
