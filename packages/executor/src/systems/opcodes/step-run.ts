import type { OpHandler } from "./types";
import { memoizeStepRun } from "./types";

/** StepRun: a step ran; its result is memoized unless one is already recorded. */
export const stepRun: OpHandler = (deps, ctx, op) =>
  memoizeStepRun(deps, ctx, op, "completed", { data: op.data ?? null });
