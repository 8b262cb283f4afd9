import "server-only";

import type { RunEventObserver } from "@runnel/observability";

interface Publisher<E> {
  publish(events: readonly E[]): Promise<void>;
}

/**
 * Hands every batch of run events this process publishes (after their commit) to `observe` as well: the runtime's
 * bus is the one place all of them pass, so logs, metrics and spans follow runs without touching the engine. The
 * observer runs after the subscribers were notified and never fails a publish.
 */
export function observePublishedEvents<E extends Parameters<RunEventObserver>[0][number]>(
  bus: Publisher<E>,
  observe: RunEventObserver,
): void {
  const publish = bus.publish.bind(bus);
  bus.publish = async (events) => {
    await publish(events);
    observe(events);
  };
}
