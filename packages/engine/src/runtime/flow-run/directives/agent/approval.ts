import type { AgentDirective, AgentToolApproval, JsonValue } from "@runnel/nodes";

import type { PlanNode } from "../../../../compiler";
import type { RunContext } from "../../context";
import type { PreparedTool, ToolCall } from "./tools/types";
import { toJson } from "../../context";
import { decisionOf, settledApproval, waitForDecision } from "../approval";

export interface GateDecision {
  approval: AgentToolApproval;
  /** The arguments the call runs with (the approver's edit, or the model's); absent unless approved. */
  arguments?: Record<string, JsonValue>;
}

function isObject(value: unknown): value is Record<string, JsonValue> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A gated tool call: opens an approval (the tool name and arguments as its data, a form whose `arguments` field the
 * approver may edit), waits durably for the decision, and answers it. The approval row is keyed by the call's step id,
 * so each call of a run has its own (`<node>:agent:<i>:tool:<id>`). The run shows `waiting` meanwhile.
 */
export async function gateToolCall(
  context: RunContext,
  node: PlanNode,
  policy: AgentDirective["request"]["approval"],
  prepared: PreparedTool,
  call: ToolCall,
): Promise<GateDecision> {
  const { steps, orgId, runId, store } = context;
  const name = prepared.declaration.name;
  const approvalId = await steps.run(`${call.stepId}:approval`, async () => {
    const { approval } = await store.createApproval(orgId, {
      runId,
      nodeId: call.stepId,
      assignees: policy.assignees,
      message: `Agent ${node.id} wants to call the tool "${name}". Approve to run it (edit the arguments if needed), or reject.`,
      formSchema: {
        type: "object",
        properties: {
          arguments: {
            ...prepared.declaration.parameters,
            description:
              "The arguments the tool runs with; change them to run the call differently",
            default: call.arguments,
          },
        },
      },
      data: { tool: name, arguments: call.arguments, agentNodeId: node.id, toolCallId: call.id },
      expiresAt: new Date(Date.now() + policy.timeoutMs),
    });
    await store.markRunStatus(orgId, runId, "waiting", {
      reason: `${node.id}: approval of tool ${name}`,
    });
    return approval.id;
  });
  await waitForDecision(context, `${call.stepId}:approval`, approvalId, policy.timeoutMs);
  return steps.run(`${call.stepId}:decided`, async (): Promise<GateDecision> => {
    const approval = await settledApproval(context, approvalId);
    await store.markRunStatus(orgId, runId, "running");
    const decision = decisionOf(approval);
    const edited = isObject(approval.formData) ? approval.formData.arguments : undefined;
    const runWith = decision === "approved" && isObject(edited) ? toJson(edited) : undefined;
    const editedArguments =
      runWith !== undefined && JSON.stringify(runWith) !== JSON.stringify(call.arguments);
    return {
      approval: {
        approvalId,
        decision,
        ...(approval.decidedBy ? { decidedBy: approval.decidedBy } : {}),
        ...(approval.comment ? { comment: approval.comment } : {}),
        editedArguments,
      },
      ...(decision === "approved"
        ? { arguments: isObject(runWith) ? runWith : call.arguments }
        : {}),
    };
  });
}
