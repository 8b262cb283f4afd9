import type { OpHandler } from "./types";
import { planStep } from "../../planned-steps";
import { sleepUntil } from "../../protocol";
import { failOnBadStep, noProgress } from "./types";

/** Sleep: `step.sleep` / `step.sleepUntil`; a durable timer (a sleep job) resolves the step with null. */
export const sleep: OpHandler = async (deps, ctx, op) => {
  const { tx, run } = ctx;
  const until = sleepUntil(op.name ?? "", new Date());
  if (!until) {
    return failOnBadStep(
      deps,
      ctx,
      `step "${op.displayName ?? op.id}": cannot read sleep duration ${JSON.stringify(op.name)}`,
    );
  }
  if (await planStep(tx, run.id, op, "sleeping")) {
    await deps.lifecycle.insertJob(tx, {
      key: `sleep:${run.id}:${op.id}`,
      kind: "sleep",
      runId: run.id,
      stepId: op.id,
      dueAt: until,
    });
  }
  return noProgress;
};
