import type { StoredError } from "@runnel/db/schema";
import type { JsonValue } from "@runnel/nodes";

import type { PlanNode } from "../../../compiler";
import type { RunContext } from "../context";
import type { NodeResult, Pending } from "../types";
import { resolveFlowVersion } from "../../starter";
import { resolveDeep, storedError } from "../context";
import { resumed } from "../outcome";

type InvokePending = Extract<Pending, { kind: "invoke" }>;
type ChildResult = { ok: true; output: unknown } | { ok: false; error: StoredError };

/** Inside the node's first step: creates the child runs of a sub-flow or loop node (idempotent per node and item). */
export async function createChildren(
  context: RunContext,
  nodeId: string,
  target: { flowId: string; version?: number },
  inputs: JsonValue[],
  loop: boolean,
): Promise<string[]> {
  const { runId, orgId } = context;
  const version = await resolveFlowVersion(
    context.resources.db,
    orgId,
    target.flowId,
    target.version,
  );
  const ids: string[] = [];
  for (const [index, input] of inputs.entries()) {
    const { run } = await context.store.createRun(orgId, {
      flowVersionId: version.id,
      triggerKind: "subflow",
      triggerInfo: { parentRunId: runId, nodeId, ...(loop ? { index } : {}) },
      input,
      parentRunId: runId,
      idempotencyKey: loop ? `loop:${runId}:${nodeId}:${index}` : `subflow:${runId}:${nodeId}`,
    });
    ids.push(run.id);
  }
  return ids;
}

/**
 * Sub-flow and Loop nodes: invokes runFlow for each child run (`<node>:invoke`, `<node>:item:<i>`), at most
 * `concurrency` at a time, then records the node's output: the child's output, or the items' outputs in order.
 */
export async function finishInvoke(
  context: RunContext,
  node: PlanNode,
  pending: InvokePending,
  stepAttempt: number,
): Promise<NodeResult> {
  const { steps, orgId } = context;
  const results: ChildResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < pending.childRunIds.length) {
      const index = next++;
      const childRunId = pending.childRunIds[index] ?? "";
      try {
        const result = await steps.invoke(
          pending.loop ? `${node.id}:item:${index}` : `${node.id}:invoke`,
          {
            runId: childRunId,
            orgId,
            ...(pending.timeoutMs === null ? {} : { timeoutMs: pending.timeoutMs }),
          },
        );
        results[index] = { ok: true, output: result.output ?? null };
      } catch (error) {
        results[index] = { ok: false, error: storedError(error, node.id) };
      }
    }
  };
  const workers = Math.min(pending.concurrency, Math.max(pending.childRunIds.length, 1));
  await Promise.all(Array.from({ length: workers }, worker));
  return steps.run(`${node.id}:done`, async () => {
    if (!pending.loop) {
      const only = results[0];
      if (!only || !only.ok)
        return resumed(context, node, stepAttempt, {
          status: "failed",
          error:
            only && !only.ok
              ? only.error
              : { message: "the sub-flow returned nothing", nodeId: node.id },
        });
      return resumed(context, node, stepAttempt, {
        status: "fired",
        port: "out",
        value: await resolveDeep(context, only.output),
      });
    }
    const outputs: JsonValue[] = [];
    for (const [index, result] of results.entries()) {
      if (result.ok) outputs.push(await resolveDeep(context, result.output));
      else if (pending.continueOnItemError)
        outputs.push({ error: { message: result.error.message } });
      else
        return resumed(context, node, stepAttempt, {
          status: "failed",
          error: { ...result.error, message: `item ${index}: ${result.error.message}` },
        });
    }
    return resumed(context, node, stepAttempt, { status: "fired", port: "out", value: outputs });
  });
}
