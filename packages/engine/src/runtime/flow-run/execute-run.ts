import type { StoredError } from "@runnel/db/schema";
import type { JsonValue } from "@runnel/nodes";

import type { ExecutionPlan, NodeOutcome } from "../../compiler";
import type { RunContext } from "./context";
import type { RunFlowResources } from "./resources";
import type { RunWrites } from "./run-writes";
import type { FlowSteps, RunFlowResult } from "./steps";
import type { Loaded } from "./types";
import { resolveDeep, toJson } from "./context";
import { loadRun } from "./load";
import { immediateWrites } from "./run-writes";
import { runSchedule } from "./schedule-loop";
import { RunFailedError } from "./steps";

/** Fired nodes without outgoing edges: the run's output is the value of the one leaf, or `{ <leaf id>: value }`. */
function firedLeaves(
  plan: ExecutionPlan,
  settled: Readonly<Record<string, NodeOutcome>>,
): [string, JsonValue][] {
  const leaves: [string, JsonValue][] = [];
  for (const id of plan.order) {
    const node = plan.nodes[id];
    const outcome = settled[id];
    if (node === undefined || outcome?.status !== "fired") continue;
    if (Object.values(node.outputs).every((edges) => edges.length === 0))
      leaves.push([id, outcome.value]);
  }
  return leaves;
}

function pickTrigger(plan: ExecutionPlan, loaded: Loaded): string | undefined {
  const named = loaded.triggerNodeId;
  if (named !== null && plan.triggers.includes(named)) return named;
  const kinds =
    loaded.triggerKind === "subflow"
      ? ["manual", "api", "webhook", "schedule"]
      : [loaded.triggerKind];
  for (const kind of kinds) {
    const found = plan.triggers.find((id) => plan.nodes[id]?.trigger === kind);
    if (found !== undefined) return found;
  }
  return plan.triggers[0];
}

/**
 * One run of a pinned flow version, over whichever step tools drive it (docs/runtime.md): `load`, the scheduling
 * loop, then `finish`. Throws `RunFailedError` when the run fails; the binding ends it without retries.
 */
export async function executeRun(
  resources: RunFlowResources,
  steps: FlowSteps,
  { runId, orgId }: { runId: string; orgId: string },
  store: RunWrites = immediateWrites(resources.store),
): Promise<RunFlowResult> {
  // Pure in the step interface's sense: it reaches nothing outside the run store, and repeating it changes nothing.
  const loaded = await steps.run("load", () => loadRun(resources, orgId, runId), { pure: true });
  if (loaded.state === "failed")
    throw new RunFailedError(
      `run ${runId} had already failed: ${typeof loaded.ended === "string" ? loaded.ended : "the run failed"}`,
    );
  if (loaded.state !== "run") return { runId, status: loaded.state, output: loaded.ended };

  const fail = async (error: StoredError, failedNodeId?: string): Promise<never> => {
    await steps.run("finish", async () => {
      await store.markRunStatus(orgId, runId, "failed", {
        error,
        ...(failedNodeId ? { failedNodeId } : {}),
      });
    });
    throw new RunFailedError(
      failedNodeId ? `node ${failedNodeId}: ${error.message}` : error.message,
    );
  };

  const compiled = resources.compile(loaded);
  if (!compiled.ok) {
    const detail = compiled.problems.map((p) => `${p.nodeId ?? "flow"}: ${p.message}`).join("; ");
    return fail({
      message: `the flow version does not compile: ${detail}`,
      name: "FlowCompileError",
      code: "compile",
    });
  }
  const plan = compiled.plan;
  const startedBy = pickTrigger(plan, loaded);
  if (startedBy === undefined)
    return fail({ message: "the flow has no trigger node", name: "FlowCompileError" });

  const context: RunContext = {
    resources,
    steps,
    store,
    runId,
    orgId,
    loaded,
    plan,
    startedBy,
    runInfo: {
      id: runId,
      flowId: loaded.flowId,
      flowVersion: loaded.flowVersion,
      orgId,
      startedAt: loaded.startedAt,
      triggerNodeId: startedBy,
    },
    settled: {},
  };
  const { failure } = await runSchedule(context);
  if (failure) return fail(failure.error, failure.nodeId);

  const leaves = firedLeaves(plan, context.settled);
  const finished = await steps.run("finish", async () => {
    const values: [string, JsonValue][] = [];
    for (const [id, value] of leaves) values.push([id, await resolveDeep(context, value)]);
    const output: JsonValue =
      values.length === 1 ? (values[0]?.[1] ?? null) : Object.fromEntries(values);
    const change = await store.markRunStatus(orgId, runId, "succeeded", { output });
    return {
      status: change.run.status,
      output: toJson(await store.offloadValue(orgId, runId, output)),
    };
  });
  return {
    runId,
    status: finished.status === "cancelled" ? "cancelled" : "succeeded",
    output: finished.output,
  };
}
