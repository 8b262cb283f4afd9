import type { PlanNode } from "../../../compiler";
import type { RunContext } from "../context";
import type { NodeResult, Pending } from "../types";
import { finishAgent } from "./agent";
import { finishApproval } from "./approval";
import { finishInvoke } from "./invoke";
import { finishSleep } from "./sleep";

/** Carries out a pending directive with durable step tools and records the node's result. */
export function finishPending(
  context: RunContext,
  node: PlanNode,
  pending: Pending,
  stepAttempt: number,
): Promise<NodeResult> {
  switch (pending.kind) {
    case "sleep":
      return finishSleep(context, node, pending, stepAttempt);
    case "approval":
      return finishApproval(context, node, pending, stepAttempt);
    case "invoke":
      return finishInvoke(context, node, pending, stepAttempt);
    case "agent":
      return finishAgent(context, node, pending, stepAttempt);
  }
}

export { createChildren } from "./invoke";
export { startApproval } from "./approval";
export { startAgent } from "./agent";
