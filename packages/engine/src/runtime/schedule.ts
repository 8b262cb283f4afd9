import type { ExecutionPlan, NodeOutcome, Progress } from "../compiler";
import { advance } from "../compiler";

interface PlanIndex {
  position: Map<string, number>;
  successors: Map<string, string[]>;
}

const indexes = new WeakMap<ExecutionPlan, PlanIndex>();

function indexOf(plan: ExecutionPlan): PlanIndex {
  let index = indexes.get(plan);
  if (!index) {
    const successors = new Map<string, string[]>();
    for (const [id, node] of Object.entries(plan.nodes)) {
      const targets = new Set<string>();
      for (const edgeIds of Object.values(node.outputs)) {
        for (const edgeId of edgeIds) {
          const target = plan.edges[edgeId]?.target;
          if (target !== undefined) targets.add(target);
        }
      }
      successors.set(id, [...targets]);
    }
    index = { position: new Map(plan.order.map((id, at) => [id, at])), successors };
    indexes.set(plan, index);
  }
  return index;
}

/**
 * `advance` restricted to the nodes a change can affect: the given candidates (the successors of the nodes that
 * just settled), then the successors of every node found skipped, until skipping stops propagating. The rules are
 * advance's own; only the set of nodes it looks at shrinks, so a run of n nodes costs O(n) decisions, not O(n²).
 * Newly skipped nodes are added to `settled`.
 */
export function advanceFrom(
  plan: ExecutionPlan,
  startedBy: string,
  settled: Record<string, NodeOutcome>,
  candidates: Iterable<string>,
): Progress {
  const { position, successors } = indexOf(plan);
  const ready: string[] = [];
  const skipped: string[] = [];
  let pending = new Set(candidates);
  while (pending.size > 0) {
    const order = [...pending]
      .filter((id) => !Object.hasOwn(settled, id))
      .sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
    const progress = advance({ ...plan, order }, startedBy, settled);
    ready.push(...progress.ready);
    const next = new Set<string>();
    for (const id of progress.skipped) {
      settled[id] = { status: "skipped" };
      skipped.push(id);
      for (const target of successors.get(id) ?? []) next.add(target);
    }
    pending = next;
  }
  return { ready, skipped };
}

/** The nodes that may be decided once `id` has settled. */
export function successorsOf(plan: ExecutionPlan, id: string): string[] {
  return indexOf(plan).successors.get(id) ?? [];
}
