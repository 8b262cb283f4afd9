import type { FlowTool } from "@runnel/nodes";
import { and, eq, isNull } from "@runnel/db";
import { flows } from "@runnel/db/schema";

import type { ToolKind } from "./types";
import { flowContract } from "../../../../../flow/contract";
import { resolveFlowVersion } from "../../../../starter";
import { resolveDeep } from "../../../context";
import { messageOf } from "./types";

type Result = { output: unknown } | { error: string };

/**
 * A published flow of the org as a tool: the model sees its input schema (the API or manual trigger's, as REST
 * does); a call is a child run invoked durably (`step.invoke`), and its output is the result.
 */
export const flowTool: ToolKind<FlowTool> = {
  async prepare(context, tool) {
    const { db } = context.resources;
    const [flow] = await db
      .select({ name: flows.name, description: flows.description })
      .from(flows)
      .where(
        and(eq(flows.id, tool.flowId), eq(flows.orgId, context.orgId), isNull(flows.deletedAt)),
      );
    if (!flow)
      throw new Error(`tool "${tool.name}": flow ${tool.flowId} does not exist in this org`);
    let version: { id: string };
    try {
      version = await resolveFlowVersion(db, context.orgId, tool.flowId);
    } catch (error) {
      throw new Error(`tool "${tool.name}": ${messageOf(error)}`);
    }
    const stored = await context.resources.loadVersion(context.orgId, version.id);
    const contract = flowContract(stored?.definition);
    const description =
      tool.description ?? (flow.description.trim() || `Runs the flow "${flow.name}"`);
    return {
      declaration: { name: tool.name, description, parameters: contract.inputSchema },
      tool,
      flow: { versionId: version.id, triggerNodeId: contract.triggerNodeId },
    };
  },

  async run(context, node, prepared, call) {
    const { steps, orgId, runId } = context;
    const childRunId = await steps.run(`${call.stepId}:start`, async () => {
      const { run } = await context.store.createRun(orgId, {
        flowVersionId: prepared.flow?.versionId ?? "",
        triggerKind: "subflow",
        triggerInfo: {
          parentRunId: runId,
          parentNodeId: node.id,
          toolCallId: call.id,
          ...(prepared.flow?.triggerNodeId ? { nodeId: prepared.flow.triggerNodeId } : {}),
        },
        input: call.arguments,
        parentRunId: runId,
        idempotencyKey: `agent:${runId}:${call.stepId}`,
      });
      return run.id;
    });
    let result: Result;
    try {
      const finished = await steps.invoke(call.stepId, {
        runId: childRunId,
        orgId,
        ...(prepared.tool.timeoutMs === undefined ? {} : { timeoutMs: prepared.tool.timeoutMs }),
      });
      result = { output: finished.output ?? null };
    } catch (error) {
      result = { error: `the flow failed: ${messageOf(error)}` };
    }
    return steps.run(`${call.stepId}:result`, async () => {
      const child = await context.store.getRun(orgId, childRunId);
      const latencyMs =
        child?.finishedAt && child.createdAt
          ? child.finishedAt.getTime() - child.createdAt.getTime()
          : 0;
      if ("error" in result) return { error: result.error, latencyMs };
      return { result: await resolveDeep(context, result.output), latencyMs };
    });
  },
};
