import { EventEmitter } from "node:events";

import type { Database } from "@runnel/db";

import type { RunEvent } from "../runs/event-types";
import type {
  RunEventBus,
  RunEventNotice,
  RunEventNotifier,
  SubscribeOptions,
} from "./subscription";
import { subscribeToRun } from "./subscription";

export interface InProcessEventBusOptions {
  /** The database the events are stored in (subscribers replay from it). */
  db: Database;
}

/**
 * Event bus for one process (PGlite, or a single server process): publish hands the committed events straight to
 * the subscribers of their run through an EventEmitter.
 */
export function createInProcessEventBus({ db }: InProcessEventBusOptions): RunEventBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  let active = 0;
  const closed = new AbortController();
  const notifier: RunEventNotifier = {
    listen(runId, onNotice) {
      emitter.on(runId, onNotice);
      return () => emitter.off(runId, onNotice);
    },
  };
  return {
    publish(events: readonly RunEvent[]) {
      for (const event of events)
        emitter.emit(event.runId, { seq: event.seq, event } satisfies RunEventNotice);
      return Promise.resolve();
    },
    subscribe(orgId: string, runId: string, options: SubscribeOptions = {}) {
      const signal = options.signal
        ? AbortSignal.any([options.signal, closed.signal])
        : closed.signal;
      return subscribeToRun(db, notifier, orgId, runId, { ...options, signal }, (delta) => {
        active += delta;
      });
    },
    get activeSubscriptions() {
      return active;
    },
    close() {
      closed.abort();
      emitter.removeAllListeners();
      return Promise.resolve();
    },
  };
}
