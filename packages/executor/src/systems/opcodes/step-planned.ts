import type { OpHandler } from "./types";
import { planStep } from "../../planned-steps";
import { noProgress } from "./types";

/** StepPlanned: a step found (among parallel ones) that runs in its own request. */
export const stepPlanned: OpHandler = async ({ lifecycle }, { tx, run }, op) => {
  if (await planStep(tx, run.id, op, "planned")) {
    await lifecycle.insertJob(tx, {
      key: `call:${run.id}:${op.id}`,
      kind: "call",
      runId: run.id,
      stepId: op.id,
      dueAt: new Date(),
      concurrency: run.concurrency,
    });
  }
  return noProgress;
};
