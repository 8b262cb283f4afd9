import type { JsonValue } from "@runnel/nodes";

import type { ExecutionPlan } from "./plan";

/**
 * Dead-path elimination over a compiled plan (DESIGN §3), as pure functions the runtime calls after
 * every settled node. A node is decided when every node feeding it is settled:
 * - an edge is live when its source fired the edge's source port, dead when the source fired another
 *   port or was skipped;
 * - a node with all incoming edges dead is skipped, and so is a node whose required input has no live
 *   edge (skipping propagates);
 * - otherwise it is ready, with the values of its live edges as inputs (a merge gets every live one).
 * Trigger nodes other than the one that started the run are skipped.
 */
export type NodeOutcome =
  { status: "fired"; port: string; value: JsonValue } | { status: "skipped" };

export interface Progress {
  /** Nodes that may run now (not yet settled, every input decided, at least one live input). */
  ready: string[];
  /** Nodes newly found to be skipped; record them, then call `advance` again with them settled. */
  skipped: string[];
}

/** Decides what can happen next. `settled` holds every node that finished (fired a port) or was skipped. */
export function advance(
  plan: ExecutionPlan,
  startedBy: string,
  settled: Readonly<Record<string, NodeOutcome>>,
): Progress {
  if (!plan.triggers.includes(startedBy))
    throw new Error(
      `advance: "${startedBy}" is not a trigger of this flow (triggers: ${plan.triggers.join(", ")})`,
    );
  const outcomes = new Map(Object.entries(settled));
  const ready: string[] = [];
  const skipped: string[] = [];
  for (const id of plan.order) {
    if (outcomes.has(id)) continue;
    const node = plan.nodes[id];
    if (node === undefined) continue;
    if (node.kind === "trigger") {
      if (id === startedBy) ready.push(id);
      else {
        skipped.push(id);
        outcomes.set(id, { status: "skipped" });
      }
      continue;
    }
    const decision = decide(plan, id, outcomes);
    if (decision === "waiting") continue;
    if (decision === "ready") ready.push(id);
    else {
      skipped.push(id);
      outcomes.set(id, { status: "skipped" });
    }
  }
  return { ready, skipped };
}

function decide(
  plan: ExecutionPlan,
  id: string,
  outcomes: Map<string, NodeOutcome>,
): "waiting" | "ready" | "skipped" {
  const node = plan.nodes[id];
  if (node === undefined) return "skipped";
  let anyLive = false;
  for (const input of Object.values(node.inputs)) {
    let portLive = false;
    for (const edgeId of input.edges) {
      const state = edgeState(plan, edgeId, outcomes);
      if (state === "pending") return "waiting";
      if (state === "live") portLive = true;
    }
    if (portLive) anyLive = true;
    else if (input.required) return "skipped";
  }
  return anyLive ? "ready" : "skipped";
}

function edgeState(
  plan: ExecutionPlan,
  edgeId: string,
  outcomes: Map<string, NodeOutcome>,
): "pending" | "live" | "dead" {
  const edge = plan.edges[edgeId];
  if (edge === undefined) return "dead";
  const outcome = outcomes.get(edge.source);
  if (outcome === undefined) return "pending";
  return outcome.status === "fired" && outcome.port === edge.sourcePort ? "live" : "dead";
}

/**
 * The `inputs` for a ready node: each port takes the value of its first live edge (in definition
 * order); a `multiple` port takes `{ <source node id>: value }` of every live edge.
 */
export function inputsFor(
  plan: ExecutionPlan,
  id: string,
  settled: Readonly<Record<string, NodeOutcome>>,
): Record<string, JsonValue | Record<string, JsonValue>> {
  const node = plan.nodes[id];
  if (node === undefined) throw new Error(`inputsFor: node "${id}" is not in the plan`);
  const inputs: Record<string, JsonValue | Record<string, JsonValue>> = {};
  for (const [port, input] of Object.entries(node.inputs)) {
    const values: Record<string, JsonValue> = {};
    let first: { value: JsonValue } | undefined;
    for (const edgeId of input.edges) {
      const edge = plan.edges[edgeId];
      const outcome = edge === undefined ? undefined : settled[edge.source];
      if (edge === undefined || outcome?.status !== "fired" || outcome.port !== edge.sourcePort)
        continue;
      first ??= { value: outcome.value };
      if (!Object.hasOwn(values, edge.source))
        Object.defineProperty(values, edge.source, {
          value: outcome.value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
    }
    if (input.multiple) inputs[port] = values;
    else if (first !== undefined) inputs[port] = first.value;
  }
  return inputs;
}

/** The `nodes` part of a node's expression context: outputs of its upstream nodes that fired. */
export function upstreamOutputs(
  plan: ExecutionPlan,
  id: string,
  settled: Readonly<Record<string, NodeOutcome>>,
): Record<string, JsonValue> {
  const node = plan.nodes[id];
  if (node === undefined) throw new Error(`upstreamOutputs: node "${id}" is not in the plan`);
  const outputs: Record<string, JsonValue> = {};
  for (const upstream of node.upstream) {
    const outcome = settled[upstream];
    if (outcome?.status === "fired") outputs[upstream] = outcome.value;
  }
  return outputs;
}

/** True when every node is settled: the run is complete. */
export function isComplete(
  plan: ExecutionPlan,
  settled: Readonly<Record<string, NodeOutcome>>,
): boolean {
  return plan.order.every((id) => Object.hasOwn(settled, id));
}
