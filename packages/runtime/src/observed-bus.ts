import type { RunEvent, RunEventBus } from "@runnel/engine";

/** Sees every batch of run events a process publishes (logs, metrics, traces); it must not throw. */
export type RunEventObserver = (events: readonly RunEvent[]) => void;

/**
 * The bus, with each published batch also handed to `observe` once the bus has delivered it to subscribers: every
 * run event of the process passes here whichever driver wrote it, so observers never touch the engine.
 */
export function observedBus(bus: RunEventBus, observe: RunEventObserver): RunEventBus {
  return {
    async publish(events) {
      await bus.publish(events);
      observe(events);
    },
    subscribe: (orgId, runId, options) => bus.subscribe(orgId, runId, options),
    get activeSubscriptions() {
      return bus.activeSubscriptions;
    },
    close: () => bus.close(),
  };
}
