import type { Logger } from "pino";

import type { ObservedRunEvent, RunEventObserver } from "./run-event";
import { withLogContext } from "./log-context";
import { payloadField } from "./run-event";

export interface RunObserverParts {
  logger?: Logger;
  metrics?: { observe(events: readonly ObservedRunEvent[]): void };
  spans?: { observe(events: readonly ObservedRunEvent[]): void };
}

function logRunEvent(logger: Logger, event: ObservedRunEvent): void {
  const ids = {
    runId: event.runId,
    orgId: event.orgId,
    ...(event.nodeId ? { nodeId: event.nodeId } : {}),
  };
  withLogContext(ids, () => {
    switch (event.type) {
      case "run.running":
        if (payloadField(event, "previous") === "queued") logger.debug("run started");
        return;
      case "run.succeeded":
        logger.debug("run succeeded");
        return;
      case "run.cancelled":
        logger.info({ reason: payloadField(event, "reason") }, "run cancelled");
        return;
      case "run.failed": {
        const failedNodeId = payloadField(event, "failedNodeId");
        withLogContext(typeof failedNodeId === "string" ? { nodeId: failedNodeId } : {}, () =>
          logger.error({ error: payloadField(event, "error") }, "run failed"),
        );
        return;
      }
      case "step.failed":
        logger.warn(
          { attempt: payloadField(event, "attempt"), error: payloadField(event, "error") },
          "node failed",
        );
        return;
      default:
        return;
    }
  });
}

/**
 * One observer of the run events the engine publishes, feeding logs (with run and node ids), metrics and spans.
 * Each part is optional: what is not configured costs nothing. An observer never throws into the publisher.
 */
export function createRunObserver(parts: RunObserverParts): RunEventObserver {
  const { logger, metrics, spans } = parts;
  return (events) => {
    try {
      metrics?.observe(events);
      spans?.observe(events);
      if (logger) for (const event of events) logRunEvent(logger, event);
    } catch (error) {
      logger?.error({ err: error }, "observing run events failed");
    }
  };
}
