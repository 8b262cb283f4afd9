import type { Span, Tracer } from "@opentelemetry/api";
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";

import type { ObservedRunEvent } from "./run-event";
import {
  BoundedMap,
  errorMessage,
  FINISHED_RUN_STATUS,
  FINISHED_STEP_STATUS,
  payloadField,
} from "./run-event";

/** Spans open at once (runs and nodes together); past this the oldest are ended, marked truncated. */
const OPEN_SPANS = 10_000;

function endTruncated(span: Span): void {
  span.setAttribute("runnel.span.truncated", true);
  span.end();
}

/**
 * A span per run and a child span per node, derived from the run events the engine publishes (docs/operations.md
 * #traces): the run span opens at `run.queued` (or the first event of the run seen here) and ends at its final
 * event; a node span opens at `step.started` and ends at `step.succeeded`/`failed`/`skipped`. Times are the events'
 * own. A process sees the events it publishes, so a run resumed by another process has its spans there.
 */
export function createRunSpans(tracer: Tracer): {
  observe(events: readonly ObservedRunEvent[]): void;
} {
  const runs = new BoundedMap<Span>(OPEN_SPANS, endTruncated);
  const nodes = new BoundedMap<Span>(OPEN_SPANS, endTruncated);

  const runSpan = (event: ObservedRunEvent): Span => {
    const open = runs.get(event.runId);
    if (open) return open;
    const span = tracer.startSpan(
      "runnel.run",
      {
        kind: SpanKind.INTERNAL,
        startTime: event.createdAt,
        attributes: { "runnel.run.id": event.runId, "runnel.org.id": event.orgId },
      },
      ROOT_CONTEXT,
    );
    runs.set(event.runId, span);
    return span;
  };

  const observe = (events: readonly ObservedRunEvent[]) => {
    for (const event of events) {
      const nodeKey = `${event.runId}\u0000${event.nodeId ?? ""}`;
      if (event.type === "run.queued") {
        const trigger = payloadField(event, "triggerKind");
        const span = runSpan(event);
        if (typeof trigger === "string") span.setAttribute("runnel.run.trigger", trigger);
        continue;
      }
      if (event.type === "run.running" || event.type === "run.waiting") {
        const reason = payloadField(event, "reason");
        runSpan(event).addEvent(
          event.type,
          typeof reason === "string" ? { reason } : undefined,
          event.createdAt,
        );
        continue;
      }
      const runStatus = FINISHED_RUN_STATUS[event.type];
      if (runStatus) {
        const span = runSpan(event);
        runs.take(event.runId);
        span.setAttribute("runnel.run.status", runStatus);
        const failedNodeId = payloadField(event, "failedNodeId");
        if (typeof failedNodeId === "string") span.setAttribute("runnel.node.id", failedNodeId);
        if (runStatus === "failed") {
          const message = errorMessage(event);
          span.setStatus({ code: SpanStatusCode.ERROR, ...(message ? { message } : {}) });
        }
        span.end(event.createdAt);
        continue;
      }
      if (event.type === "step.started" && event.nodeId) {
        nodes.take(nodeKey)?.end(event.createdAt);
        const attempt = payloadField(event, "attempt");
        const span = tracer.startSpan(
          `runnel.node ${event.nodeId}`,
          {
            kind: SpanKind.INTERNAL,
            startTime: event.createdAt,
            attributes: {
              "runnel.run.id": event.runId,
              "runnel.org.id": event.orgId,
              "runnel.node.id": event.nodeId,
              ...(typeof attempt === "number" ? { "runnel.node.attempt": attempt } : {}),
            },
          },
          trace.setSpan(context.active(), runSpan(event)),
        );
        nodes.set(nodeKey, span);
        continue;
      }
      if (event.type === "step.waiting") {
        nodes.get(nodeKey)?.addEvent("step.waiting", undefined, event.createdAt);
        continue;
      }
      const stepStatus = FINISHED_STEP_STATUS[event.type];
      const span = stepStatus ? nodes.take(nodeKey) : undefined;
      if (!stepStatus || !span) continue;
      span.setAttribute("runnel.node.status", stepStatus);
      const port = payloadField(event, "port");
      if (typeof port === "string") span.setAttribute("runnel.node.port", port);
      if (stepStatus === "failed") {
        const message = errorMessage(event);
        span.setStatus({ code: SpanStatusCode.ERROR, ...(message ? { message } : {}) });
      }
      span.end(event.createdAt);
    }
  };
  return { observe };
}
