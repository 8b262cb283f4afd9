import type { AgentResult, AgentStep, AiMessage, LlmUsage } from "@runnel/nodes";

import type { PlanNode } from "../../../../compiler";
import type { RunContext } from "../../context";
import type { NodeResult, Pending } from "../../types";
import { resumed } from "../../outcome";
import { modelStep } from "./model-step";
import { callTool } from "./tool-call";

type AgentPending = Extract<Pending, { kind: "agent" }>;

function addUsage(total: LlmUsage, usage: LlmUsage): LlmUsage {
  return {
    inputTokens: total.inputTokens + usage.inputTokens,
    outputTokens: total.outputTokens + usage.outputTokens,
    totalTokens: total.totalTokens + usage.totalTokens,
    costUsd:
      total.costUsd === null || usage.costUsd === null ? null : total.costUsd + usage.costUsd,
  };
}

/** Step ids of a turn's tool calls: by the model's call id, made unique when a model repeats one. */
function toolStepIds(nodeId: string, index: number, callIds: readonly string[]): string[] {
  const seen = new Set<string>();
  return callIds.map((id, position) => {
    const safe = id.replace(/[^a-zA-Z0-9_.-]/g, "_").slice(0, 100) || `call${position}`;
    const unique = seen.has(safe) ? `${safe}.${position}` : safe;
    seen.add(unique);
    return `${nodeId}:agent:${index}:tool:${unique}`;
  });
}

/**
 * The agent's loop over durable steps (docs/ai.md, Agents): a model call, then each of its tool calls in order, until
 * the model answers without calling a tool. The history is rebuilt from recorded step results on every replay, so a
 * resumed run continues where it stopped without repeating a completed call. The node's output and its summed usage
 * are recorded in `<node>:done`.
 */
export async function finishAgent(
  context: RunContext,
  node: PlanNode,
  pending: AgentPending,
  stepAttempt: number,
): Promise<NodeResult> {
  const { request, tools } = pending;
  const messages: AiMessage[] = [{ role: "user", text: request.message }];
  const trace: AgentStep[] = [];
  let usage: LlmUsage = { inputTokens: 0, outputTokens: 0, totalTokens: 0, costUsd: 0 };
  // The step's cost counts priced calls only (as for the LLM nodes); `usage.costUsd` is null when one is unpriced.
  let pricedCostUsd = 0;
  const finish = (result: NodeResult) =>
    context.steps.run(`${node.id}:done`, () =>
      resumed(context, node, stepAttempt, result, {
        tokensIn: usage.inputTokens,
        tokensOut: usage.outputTokens,
        costUsd: pricedCostUsd,
      }),
    );

  for (let index = 0; index < request.maxSteps; index++) {
    const outcome = await modelStep(context, node, request, tools, messages, index, stepAttempt);
    // A failed agent keeps its trace so far in the step's error (`steps`), for the run inspector.
    if (!outcome.ok) return finish({ status: "failed", error: { ...outcome.error, steps: trace } });
    const { turn, latencyMs } = outcome;
    usage = addUsage(usage, turn.usage);
    pricedCostUsd += turn.usage.costUsd ?? 0;
    trace.push({
      index: trace.length,
      kind: "model",
      ...(turn.text === "" ? {} : { text: turn.text }),
      ...(turn.toolCalls.length === 0 ? {} : { toolCalls: turn.toolCalls }),
      finishReason: turn.finishReason,
      usage: turn.usage,
      latencyMs,
    });
    messages.push({ role: "assistant", content: turn.assistant });
    if (turn.toolCalls.length === 0) {
      const answer: AgentResult = {
        ...(request.output.type === "structured"
          ? { object: turn.object ?? null }
          : { text: turn.text }),
        finishReason: turn.finishReason,
        steps: trace,
        usage,
      };
      return finish({ status: "fired", port: "out", value: answer });
    }
    // The last model call's tool calls are not run: no model call would see their results.
    if (index === request.maxSteps - 1) break;
    const stepIds = toolStepIds(
      node.id,
      index,
      turn.toolCalls.map((call) => call.id),
    );
    const results: Extract<AiMessage, { role: "tool" }>["results"] = [];
    for (const [position, call] of turn.toolCalls.entries()) {
      const step = await callTool(
        context,
        node,
        request,
        tools,
        call,
        stepIds[position] ?? `${node.id}:agent:${index}:tool:${position}`,
        trace.length,
      );
      trace.push(step);
      results.push({
        toolCallId: call.id,
        toolName: call.name,
        output: step.error ?? step.result ?? null,
        isError: step.error !== undefined,
      });
    }
    messages.push({ role: "tool", results });
  }
  return finish({
    status: "failed",
    error: {
      message: `the agent reached maxSteps (${request.maxSteps}) and the model still wanted to call tools; raise maxSteps or refine the instructions`,
      name: "AgentMaxStepsError",
      nodeId: node.id,
      steps: trace,
    },
  });
}
