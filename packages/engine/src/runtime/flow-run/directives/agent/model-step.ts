import type { StoredError } from "@runnel/db/schema";
import type { AgentDirective, AiMessage, AiTurn } from "@runnel/nodes";

import type { PlanNode } from "../../../../compiler";
import type { RunContext } from "../../context";
import type { PreparedTool } from "./tools/types";
import { AiCallError } from "../../../../services/ai/errors";
import { createNodeContext } from "../../../../services/node-context";
import { storedError } from "../../context";

export type ModelOutcome =
  { ok: true; turn: AiTurn; latencyMs: number } | { ok: false; error: StoredError };

/**
 * One model call as its own step (`<node>:agent:<i>:model`): a recorded answer is never asked for again. A transient
 * failure (429, 5xx, a broken connection) is thrown for the step's retry while the node's retries last; any other
 * failure (401, a bad request, an answer that breaks the output schema) ends the agent at once.
 */
export function modelStep(
  context: RunContext,
  node: PlanNode,
  request: AgentDirective["request"],
  tools: readonly PreparedTool[],
  messages: readonly AiMessage[],
  index: number,
  stepAttempt: number,
): Promise<ModelOutcome> {
  return context.steps.run(`${node.id}:agent:${index}:model`, async (attempt) => {
    await context.store.flush();
    const ctx = createNodeContext({
      run: {
        runId: context.runId,
        orgId: context.orgId,
        flowId: context.loaded.flowId,
        nodeId: node.id,
        attempt: stepAttempt,
      },
      services: context.resources.services,
    });
    const began = performance.now();
    try {
      const turn = await ctx.ai.generateTurn({
        credentialId: request.credentialId,
        model: request.model,
        ...(request.instructions === undefined ? {} : { system: request.instructions }),
        messages: [...messages],
        tools: tools.map((tool) => tool.declaration),
        // "required" forces a tool call on the first turn only, so the agent can still answer afterwards.
        toolChoice: request.toolChoice === "required" && index > 0 ? "auto" : request.toolChoice,
        ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
        ...(request.output.type === "structured" ? { outputSchema: request.output.schema } : {}),
      });
      return { ok: true, turn, latencyMs: Math.round(performance.now() - began) };
    } catch (error) {
      const transient = error instanceof AiCallError && error.details.retryable;
      if (transient && attempt < node.settings.retries) throw error;
      return { ok: false, error: storedError(error, node.id) };
    }
  });
}
