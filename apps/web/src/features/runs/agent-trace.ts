import type { AgentStep } from "@runnel/nodes";
import { AgentResult } from "@runnel/nodes";

/**
 * The trace of an agent node's output (`steps`, docs/ai.md, Agents), or null when the output is not an agent's
 * result (another node, no output yet, an output too large for the event stream).
 */
export function agentTraceOf(output: unknown): AgentStep[] | null {
  const parsed = AgentResult.safeParse(output);
  return parsed.success ? parsed.data.steps : null;
}

/** "Approved by ada@example.com (arguments edited)", "Rejected: not this customer", "No decision in time". */
export function approvalLabel(
  approval: NonNullable<Extract<AgentStep, { kind: "tool" }>["approval"]>,
) {
  const by = approval.decidedBy ? ` by ${approval.decidedBy}` : "";
  const base =
    approval.decision === "approved"
      ? `Approved${by}`
      : approval.decision === "rejected"
        ? `Rejected${by}`
        : "No decision in time";
  const edited = approval.editedArguments ? " (arguments edited)" : "";
  const comment = approval.comment ? `: ${approval.comment}` : "";
  return `${base}${edited}${comment}`;
}
