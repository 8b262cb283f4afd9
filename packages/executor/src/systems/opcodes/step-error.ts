import type { OpHandler } from "./types";
import { toError } from "../errors";
import { memoizeStepRun } from "./types";

/**
 * StepError (a step threw and has no attempt left; a retriable one is handled by Retries.retryStep first) and
 * StepFailed (a step threw NonRetriableError): the error is memoized and handed to the function.
 */
export const stepError: OpHandler = (deps, ctx, op) =>
  memoizeStepRun(deps, ctx, op, "failed", { error: toError(op.error, "step failed") });
