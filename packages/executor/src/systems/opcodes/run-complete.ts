import type { OpHandler } from "./types";

/** RunComplete: the function returned (after its last steps were checkpointed or sent as StepRun). */
export const runComplete: OpHandler = async ({ lifecycle }, { tx, run }, op) => {
  await lifecycle.finishRun(tx, run, { status: "completed", output: op.data ?? null });
  return { ended: true };
};
