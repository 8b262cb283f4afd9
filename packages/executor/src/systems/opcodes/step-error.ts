import type { OpHandler } from "./types";
import { toError } from "../errors";
import { noProgress } from "./types";

/**
 * StepError (a step threw and has no attempt left; a retriable one is handled by Retries.retryStep first) and
 * StepFailed (a step threw NonRetriableError): the error is memoized and handed to the function.
 */
export const stepError: OpHandler = async ({ lifecycle }, { tx, run, job, startedAt }, op) => {
  const entry = { error: toError(op.error, "step failed") };
  const written = await lifecycle.saveResult(
    tx,
    run.id,
    {
      id: op.id,
      name: op.name,
      displayName: op.displayName,
      op: "StepRun",
      status: "failed",
      attempts: job.attempt + 1,
      startedAt,
    },
    entry,
  );
  return written ? { progressed: true, added: { id: op.id, entry } } : noProgress;
};
