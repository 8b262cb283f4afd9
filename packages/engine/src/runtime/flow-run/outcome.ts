import type { StoredError } from "@runnel/db/schema";
import type { JsonValue } from "@runnel/nodes";

import type { PlanNode } from "../../compiler";
import type { RecordStepFinishInput } from "../../runs/store";
import type { RunContext } from "./context";
import type { StepStart } from "./step-start";
import type { Fired, NodeResult } from "./types";
import { toJson } from "./context";

/** A failure after the last attempt, routed by the node's onError setting. */
export function onErrorOutcome(node: PlanNode, error: StoredError, attempts: number): NodeResult {
  const value: JsonValue = {
    error: { message: error.message, name: error.name ?? "Error", attempts },
  };
  switch (node.settings.onError) {
    case "fail":
      return { status: "failed", error };
    case "continue":
      return { status: "fired", port: node.continuePort, value };
    case "error_port":
      return { status: "fired", port: "error", value };
  }
}

/** Records a node's output (with its start, when still unwritten); returns it as the schedule keeps it. */
export async function succeed(
  context: RunContext,
  nodeId: string,
  stepAttempt: number,
  fired: Fired,
  tokens: { tokensIn: number; tokensOut: number; costUsd: number } = {
    tokensIn: 0,
    tokensOut: 0,
    costUsd: 0,
  },
  start?: StepStart,
): Promise<Fired> {
  const { store } = context;
  const finish: RecordStepFinishInput = {
    runId: context.runId,
    nodeId,
    attempt: stepAttempt,
    status: "succeeded",
    output: fired.value,
    port: fired.port,
    ...tokens,
  };
  const unwritten = start?.take();
  const node = context.plan.nodes[nodeId];
  const pure = node ? context.resources.catalogue.get(node.type, node.version)?.pure : false;
  if (unwritten && pure) await store.pureStepRun(context.orgId, unwritten, finish);
  else if (unwritten) await store.recordStepRun(context.orgId, unwritten, finish);
  else {
    await start?.flush();
    await store.recordStepFinish(context.orgId, finish);
  }
  return {
    status: "fired",
    port: fired.port,
    value: toJson(await store.offloadValue(context.orgId, context.runId, fired.value)),
    stored: true,
  };
}

/**
 * A node resumed after a wait: the run is `running` again and the node's result is recorded (with the tokens and cost
 * its model calls used, for an agent).
 */
export async function resumed(
  context: RunContext,
  node: PlanNode,
  stepAttempt: number,
  result: NodeResult,
  tokens: { tokensIn: number; tokensOut: number; costUsd: number } = {
    tokensIn: 0,
    tokensOut: 0,
    costUsd: 0,
  },
): Promise<NodeResult> {
  const { store } = context;
  await store.markRunStatus(context.orgId, context.runId, "running");
  if (result.status === "fired") return succeed(context, node.id, stepAttempt, result, tokens);
  await store.recordStepFinish(context.orgId, {
    runId: context.runId,
    nodeId: node.id,
    attempt: stepAttempt,
    status: "failed",
    error: result.error,
    ...tokens,
  });
  return onErrorOutcome(node, result.error, stepAttempt + 1);
}
