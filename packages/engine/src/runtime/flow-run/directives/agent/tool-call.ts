import type { AgentDirective, AgentStep, AiToolCall, JsonValue } from "@runnel/nodes";
import { checkAgainstJsonSchema } from "@runnel/nodes";

import type { PlanNode } from "../../../../compiler";
import type { RunContext } from "../../context";
import type { PreparedTool } from "./tools/types";
import { gateToolCall } from "./approval";
import { runTool } from "./tools/registry";

type ToolStep = Extract<AgentStep, { kind: "tool" }>;

const REJECTED = "The user rejected this call; it was not run.";
const TIMED_OUT = "Nobody approved this call in time; it was not run.";

function isArguments(value: JsonValue): value is Record<string, JsonValue> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * One tool call of the model: checked (an unknown tool or arguments that break the tool's schema go back to the model
 * as an error, so it can correct itself), gated by an approval when the tool asks for one, then run by its kind as
 * durable step(s) with the id `<node>:agent:<i>:tool:<toolCallId>`.
 */
export async function callTool(
  context: RunContext,
  node: PlanNode,
  request: AgentDirective["request"],
  tools: readonly PreparedTool[],
  call: AiToolCall,
  stepId: string,
  index: number,
): Promise<ToolStep> {
  const base = { index, kind: "tool" as const, toolCallId: call.id, tool: call.name };
  const failed = (error: string, args: JsonValue = call.arguments): ToolStep => ({
    ...base,
    arguments: args,
    error,
    latencyMs: 0,
  });
  const prepared = tools.find((tool) => tool.declaration.name === call.name);
  if (!prepared) {
    const names = tools.map((tool) => tool.declaration.name);
    return failed(
      `There is no tool "${call.name}". ${names.length > 0 ? `Available tools: ${names.join(", ")}.` : "No tools are available."}`,
    );
  }
  const problem = isArguments(call.arguments)
    ? checkAgainstJsonSchema(prepared.declaration.parameters, call.arguments)
    : "the arguments must be a JSON object";
  if (problem !== undefined || !isArguments(call.arguments))
    return failed(`Invalid arguments for tool "${call.name}": ${problem ?? "not an object"}`);

  let args = call.arguments;
  let approval: ToolStep["approval"];
  if (prepared.tool.requireApproval) {
    const gate = await gateToolCall(context, node, request.approval, prepared, {
      id: call.id,
      stepId,
      arguments: args,
    });
    approval = gate.approval;
    if (gate.arguments === undefined)
      return {
        ...failed(gate.approval.decision === "timeout" ? TIMED_OUT : REJECTED),
        approval,
      };
    const edited = checkAgainstJsonSchema(prepared.declaration.parameters, gate.arguments);
    if (edited !== undefined)
      return {
        ...failed(
          `The approver's arguments for "${call.name}" are invalid: ${edited}`,
          gate.arguments,
        ),
        approval,
      };
    args = gate.arguments;
  }
  const outcome = await runTool(context, node, prepared, { id: call.id, stepId, arguments: args });
  return {
    ...base,
    arguments: args,
    ...("error" in outcome ? { error: outcome.error } : { result: outcome.result }),
    latencyMs: outcome.latencyMs,
    ...(approval === undefined ? {} : { approval }),
  };
}
