import type { ApprovalDirective, JsonValue } from "@runnel/nodes";

import type { PlanNode } from "../../../compiler";
import type { RunContext } from "../context";
import type { NodeResult, Pending } from "../types";
import { APPROVAL_DECIDED_EVENT } from "../../events";
import { toJson } from "../context";
import { resumed } from "../outcome";

type ApprovalPending = Extract<Pending, { kind: "approval" }>;

/** Inside the node's first step: creates the approval row the run will wait on. */
export async function startApproval(
  context: RunContext,
  nodeId: string,
  request: ApprovalDirective["request"],
): Promise<Omit<ApprovalPending, "kind">> {
  const { approval } = await context.store.createApproval(context.orgId, {
    runId: context.runId,
    nodeId,
    assignees: request.assignees,
    message: request.message,
    formSchema: request.form ?? null,
    data: request.data,
    expiresAt: new Date(Date.now() + request.timeoutMs),
  });
  return { approvalId: approval.id, timeoutMs: request.timeoutMs, data: request.data };
}

/**
 * Approval node: waits for the decision event, then reads the decision from the row (the row is authoritative)
 * and fires `approved`, `rejected` or `timeout`.
 */
export async function finishApproval(
  context: RunContext,
  node: PlanNode,
  pending: ApprovalPending,
  stepAttempt: number,
): Promise<NodeResult> {
  const { steps, orgId } = context;
  const { store } = context;
  // First wait briefly, then reread the row: a decision sent before this wait was registered is not lost.
  const recheckMs = Math.min(pending.timeoutMs, context.resources.approvalRecheckMs);
  const awaited = (timeoutMs: number) => ({
    event: APPROVAL_DECIDED_EVENT,
    match: { approvalId: pending.approvalId },
    timeoutMs: Math.max(timeoutMs, 1000),
  });
  let decided = await steps.waitForEvent(`${node.id}:decision`, awaited(recheckMs));
  if (decided === null && recheckMs < pending.timeoutMs) {
    const status = await steps.run(
      `${node.id}:recheck`,
      async () => (await store.getApproval(orgId, pending.approvalId))?.status ?? "pending",
    );
    if (status === "pending") {
      decided = await steps.waitForEvent(
        `${node.id}:decision-wait`,
        awaited(pending.timeoutMs - recheckMs),
      );
    }
  }
  return steps.run(`${node.id}:done`, async () => {
    const current = await store.getApproval(orgId, pending.approvalId);
    const approval =
      current?.status === "pending" || !current
        ? (await store.expireApproval(orgId, pending.approvalId)).approval
        : current;
    const decision =
      approval.status === "approved"
        ? "approved"
        : approval.status === "rejected"
          ? "rejected"
          : "timeout";
    const value: Record<string, JsonValue> = { decision, data: pending.data };
    if (decision !== "timeout" && approval.decidedBy) value.decidedBy = approval.decidedBy;
    if (approval.comment) value.comment = approval.comment;
    if (approval.formData) value.form = toJson(approval.formData);
    return resumed(context, node, stepAttempt, { status: "fired", port: decision, value });
  });
}
