import type { PlanNode } from "../../../compiler";
import type { RunContext } from "../context";
import type { NodeResult, Pending } from "../types";
import { resumed } from "../outcome";

type SleepPending = Extract<Pending, { kind: "sleep" }>;

/** Wait node: sleeps durably (`<node>:sleep`), then records the node's output (`<node>:done`). */
export async function finishSleep(
  context: RunContext,
  node: PlanNode,
  pending: SleepPending,
  stepAttempt: number,
): Promise<NodeResult> {
  const { steps } = context;
  if ("durationMs" in pending.sleep)
    await steps.sleep(`${node.id}:sleep`, Math.max(pending.sleep.durationMs, 1));
  else await steps.sleepUntil(`${node.id}:sleep`, new Date(pending.sleep.until));
  return steps.run(`${node.id}:done`, () => resumed(context, node, stepAttempt, pending.then));
}
