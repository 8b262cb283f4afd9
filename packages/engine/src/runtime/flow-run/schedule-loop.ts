import type { StoredError } from "@runnel/db/schema";

import type { NodeOutcome } from "../../compiler";
import type { ReusedOutcome } from "../rerun";
import type { RunContext } from "./context";
import type { FirstStep, NodeResult } from "./types";
import { inputsFor, upstreamOutputs } from "../../compiler";
import { planRerun, RerunNodeError } from "../rerun";
import { advanceFrom, successorsOf } from "../schedule";
import { toJson } from "./context";
import { finishPending } from "./directives";
import { firstStep } from "./node-attempt";

type Reused =
  | { ok: true; settled: Record<string, NodeOutcome> }
  | { ok: false; error: StoredError & { nodeId: string } };

/**
 * A rerun's first step: records every node not reachable from the rerun node as reused from the earlier run
 * (succeeded with its output and port, or skipped) and returns those outcomes to seed the schedule.
 */
function reuseEarlierOutcomes(
  context: RunContext,
  rerun: { runId: string; nodeId: string },
): Promise<Reused> {
  const { runId, orgId } = context;
  const { store } = context;
  return context.steps.run("reuse", async (): Promise<Reused> => {
    const outcomes = (await store.getStepOutcomes(orgId, rerun.runId)) ?? {};
    let planned: Record<string, ReusedOutcome>;
    try {
      planned = planRerun(context.plan, rerun.nodeId, outcomes);
    } catch (error) {
      if (!(error instanceof RerunNodeError)) throw error;
      return {
        ok: false,
        error: { message: error.message, name: error.name, nodeId: error.nodeId },
      };
    }
    const settled: Record<string, NodeOutcome> = {};
    for (const [id, outcome] of Object.entries(planned)) {
      if (outcome.status === "skipped") {
        await store.upsertStep(orgId, { runId, nodeId: id, attempt: 0, status: "skipped" });
        settled[id] = outcome;
        continue;
      }
      await store.recordStepFinish(orgId, {
        runId,
        nodeId: id,
        attempt: 0,
        status: "succeeded",
        output: outcome.value,
        port: outcome.port,
        reusedFromRunId: rerun.runId,
      });
      settled[id] = {
        status: "fired",
        port: outcome.port,
        value: toJson(await store.offloadValue(orgId, runId, outcome.value)),
      };
    }
    return { ok: true, settled };
  });
}

/** One node: its first step (the attempt), then the durable wait its directive asks for, if any. */
async function runNode(context: RunContext, id: string): Promise<NodeResult> {
  const { plan, settled } = context;
  const node = plan.nodes[id];
  if (!node)
    return { status: "failed", error: { message: `node ${id} is not in the plan`, nodeId: id } };
  const inputs = inputsFor(plan, id, settled);
  // Only the outputs its expressions read are loaded into the step (large ones are resolved from the store).
  const upstream = upstreamOutputs(plan, id, settled);
  const nodes = node.readsAnyNode
    ? upstream
    : Object.fromEntries(
        node.reads
          .filter((read) => Object.hasOwn(upstream, read))
          .map((read) => [read, upstream[read]]),
      );
  const pure = context.resources.catalogue.get(node.type, node.version)?.pure === true;
  const first: FirstStep = await context.steps.run(
    id,
    (attempt) => firstStep(context, node, { inputs, nodes }, attempt),
    { pure, nodeOutcome: true },
  );
  if (first.status !== "pending") return first;
  return finishPending(context, node, first.pending, first.attempt);
}

/**
 * The scheduling loop (docs/runtime.md, Order of execution): every ready node starts at once as its own step, a
 * node starts as soon as its own inputs are settled, and after each settled node only its successors are decided
 * again. Resolves when nothing is left to run, or with the first node that failed the run.
 */
export async function runSchedule(
  context: RunContext,
): Promise<{ failure?: { nodeId: string; error: StoredError } }> {
  const { plan, settled, startedBy, runId, orgId } = context;
  const { store } = context;
  if (context.loaded.rerun) {
    const reused = await reuseEarlierOutcomes(context, context.loaded.rerun);
    if (!reused.ok) return { failure: { nodeId: reused.error.nodeId, error: reused.error } };
    Object.assign(settled, reused.settled);
  }
  type Done = { key: string; id: string; result: NodeResult | "skipped" };
  const inFlight = new Map<string, Promise<Done>>();
  const started = new Set<string>();
  let candidates: Iterable<string> = plan.order;
  for (;;) {
    const progress = advanceFrom(plan, startedBy, settled, candidates);
    candidates = [];
    for (const id of progress.skipped) {
      const key = `${id}:skipped`;
      inFlight.set(
        key,
        context.steps
          .run(key, () => store.skipStep(orgId, runId, id), { pure: true, nodeOutcome: true })
          .then(() => ({ key, id, result: "skipped" as const })),
      );
    }
    for (const id of progress.ready) {
      if (started.has(id)) continue;
      started.add(id);
      inFlight.set(
        id,
        runNode(context, id).then((result) => ({ key: id, id, result })),
      );
    }
    if (inFlight.size === 0) return {};
    const done = await Promise.race(inFlight.values());
    inFlight.delete(done.key);
    if (done.result === "skipped") continue;
    if (done.result.status === "failed")
      return { failure: { nodeId: done.id, error: done.result.error } };
    settled[done.id] = { status: "fired", port: done.result.port, value: done.result.value };
    candidates = successorsOf(plan, done.id);
  }
}
