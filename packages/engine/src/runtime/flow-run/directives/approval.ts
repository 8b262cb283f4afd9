import type { ApprovalDirective, JsonValue } from "@runnel/nodes";

import type { PlanNode } from "../../../compiler";
import type { Approval } from "../../../runs/approvals";
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
 * Waits durably for the decision on an approval (`<prefix>:decision`, `<prefix>:recheck`, `<prefix>:decision-wait`).
 * It first waits briefly, then rereads the row: a decision sent before this wait was registered is not lost.
 */
export async function waitForDecision(
  context: RunContext,
  prefix: string,
  approvalId: string,
  timeoutMs: number,
): Promise<void> {
  const { steps, orgId, store } = context;
  const recheckMs = Math.min(timeoutMs, context.resources.approvalRecheckMs);
  const awaited = (ms: number) => ({
    event: APPROVAL_DECIDED_EVENT,
    match: { approvalId },
    timeoutMs: Math.max(ms, 1000),
  });
  const decided = await steps.waitForEvent(`${prefix}:decision`, awaited(recheckMs));
  if (decided !== null || recheckMs >= timeoutMs) return;
  const status = await steps.run(
    `${prefix}:recheck`,
    async () => (await store.getApproval(orgId, approvalId))?.status ?? "pending",
  );
  if (status === "pending")
    await steps.waitForEvent(`${prefix}:decision-wait`, awaited(timeoutMs - recheckMs));
}

/** Inside a step after the wait: the approval as decided, or marked timed out when nobody decided. */
export async function settledApproval(context: RunContext, approvalId: string): Promise<Approval> {
  const current = await context.store.getApproval(context.orgId, approvalId);
  return current?.status === "pending" || !current
    ? (await context.store.expireApproval(context.orgId, approvalId)).approval
    : current;
}

/** What a settled approval decided: an approval nobody decided in time is a timeout. */
export function decisionOf(approval: Approval): "approved" | "rejected" | "timeout" {
  return approval.status === "approved" || approval.status === "rejected"
    ? approval.status
    : "timeout";
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
  await waitForDecision(context, node.id, pending.approvalId, pending.timeoutMs);
  return context.steps.run(`${node.id}:done`, async () => {
    const approval = await settledApproval(context, pending.approvalId);
    const decision = decisionOf(approval);
    const value: Record<string, JsonValue> = { decision, data: pending.data };
    if (decision !== "timeout" && approval.decidedBy) value.decidedBy = approval.decidedBy;
    if (approval.comment) value.comment = approval.comment;
    if (approval.formData) value.form = toJson(approval.formData);
    return resumed(context, node, stepAttempt, { status: "fired", port: decision, value });
  });
}
