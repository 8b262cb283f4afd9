import type { ObservedRunEvent } from "./run-event";

/** Run events as the engine publishes them, for this package's tests: a run with the given steps, in order. */
export function runEvents(
  runId: string,
  steps: { nodeId: string; status: "succeeded" | "failed"; durationMs: number }[],
  end: "succeeded" | "failed",
  start = new Date("2026-01-01T00:00:00Z"),
): ObservedRunEvent[] {
  let clock = start.getTime();
  const at = (advanceMs = 0) => new Date((clock += advanceMs));
  const base = { runId, orgId: "org_1" };
  const events: ObservedRunEvent[] = [
    {
      ...base,
      type: "run.queued",
      nodeId: null,
      payload: { triggerKind: "webhook" },
      createdAt: at(),
    },
    {
      ...base,
      type: "run.running",
      nodeId: null,
      payload: { previous: "queued" },
      createdAt: at(5),
    },
  ];
  for (const step of steps) {
    events.push({
      ...base,
      type: "step.started",
      nodeId: step.nodeId,
      payload: { attempt: 1 },
      createdAt: at(1),
    });
    events.push({
      ...base,
      type: `step.${step.status}`,
      nodeId: step.nodeId,
      payload:
        step.status === "failed"
          ? { attempt: 1, durationMs: step.durationMs, error: { message: `${step.nodeId} broke` } }
          : { attempt: 1, durationMs: step.durationMs, port: "out" },
      createdAt: at(step.durationMs),
    });
  }
  events.push({
    ...base,
    type: `run.${end}`,
    nodeId: null,
    payload:
      end === "failed"
        ? {
            previous: "running",
            failedNodeId: steps.at(-1)?.nodeId ?? null,
            error: { message: "the run failed" },
          }
        : { previous: "running" },
    createdAt: at(1),
  });
  return events;
}
