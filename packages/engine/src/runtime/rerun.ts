import type { JsonValue } from "@runnel/nodes";
import { isJsonValue } from "@runnel/nodes";

import type { ExecutionPlan } from "../compiler";
import type { StepOutcome } from "../runs/store";
import { successorsOf } from "./schedule";

/** Why a rerun from a node cannot start: the node is unknown, or a node upstream of it has nothing to reuse. */
export class RerunNodeError extends Error {
  readonly nodeId: string;
  readonly reason: "unknown_node" | "no_output";

  constructor(nodeId: string, reason: "unknown_node" | "no_output", message: string) {
    super(message);
    this.name = "RerunNodeError";
    this.nodeId = nodeId;
    this.reason = reason;
  }
}

/** What a rerun takes over from the earlier run for one node instead of executing it. */
export type ReusedOutcome =
  { status: "fired"; port: string; value: JsonValue } | { status: "skipped" };

/** `from` and every node reachable from it: the nodes a rerun from `from` executes. */
export function downstreamOf(plan: ExecutionPlan, from: string): Set<string> {
  const seen = new Set<string>([from]);
  const queue = [from];
  for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
    for (const next of successorsOf(plan, id)) {
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(next);
    }
  }
  return seen;
}

/** The port a succeeded step fired: the recorded one, or the node's only port for steps recorded without one. */
function firedPort(plan: ExecutionPlan, nodeId: string, recorded: string | null): string | null {
  const ports = Object.keys(plan.nodes[nodeId]?.outputs ?? {});
  if (recorded !== null) return ports.includes(recorded) ? recorded : null;
  const regular = ports.filter((port) => port !== "error");
  return regular.length === 1 ? (regular[0] ?? null) : null;
}

/**
 * Decides what a rerun from `from` reuses from the earlier run's step outcomes (docs/runtime.md, Rerun from a
 * node). Every node that is not `from` and not reachable from it takes over its earlier outcome: a succeeded node
 * fires its recorded port with its output, a skipped node stays skipped. A node upstream of `from` without one of
 * those outcomes (failed, never reached, or not in the earlier run) makes the rerun impossible; other nodes without
 * one execute as in any run. Throws {@link RerunNodeError}.
 */
export function planRerun(
  plan: ExecutionPlan,
  from: string,
  outcomes: Readonly<Record<string, StepOutcome>>,
): Record<string, ReusedOutcome> {
  const start = plan.nodes[from];
  if (start === undefined)
    throw new RerunNodeError(
      from,
      "unknown_node",
      `node "${from}" is not in the flow (nodes: ${plan.order.join(", ")})`,
    );
  const executes = downstreamOf(plan, from);
  const upstream = new Set(start.upstream);
  const reused: Record<string, ReusedOutcome> = {};
  for (const id of plan.order) {
    if (executes.has(id)) continue;
    const outcome = outcomes[id];
    if (outcome?.status === "skipped") {
      reused[id] = { status: "skipped" };
      continue;
    }
    const port = outcome?.status === "succeeded" ? firedPort(plan, id, outcome.port) : null;
    if (outcome?.status === "succeeded" && port !== null) {
      reused[id] = { status: "fired", port, value: toJson(outcome.output) };
      continue;
    }
    if (upstream.has(id))
      throw new RerunNodeError(
        id,
        "no_output",
        `node "${id}" is upstream of "${from}" but has no succeeded output to reuse in the earlier run (${
          outcome === undefined
            ? "it did not run"
            : outcome.status === "succeeded"
              ? "the port it fired is not in this flow"
              : `its last attempt is ${outcome.status}`
        }); rerun from "${id}" or an earlier node instead`,
      );
  }
  return reused;
}

function toJson(value: unknown): JsonValue {
  return isJsonValue(value) ? value : null;
}
