import type { OpHandler } from "./types";
import { noProgress } from "./types";

/** StepRun: a step ran; its result is memoized unless one is already recorded. */
export const stepRun: OpHandler = async ({ lifecycle }, { tx, run, job, startedAt }, op) => {
  const entry = { data: op.data ?? null };
  const written = await lifecycle.saveResult(
    tx,
    run.id,
    {
      id: op.id,
      name: op.name,
      displayName: op.displayName,
      op: "StepRun",
      status: "completed",
      attempts: job.attempt + 1,
      startedAt,
    },
    entry,
  );
  return written ? { progressed: true, added: { id: op.id, entry } } : noProgress;
};
