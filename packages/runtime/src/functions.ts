import type { Inngest, InngestFunction } from "inngest";

import type { RunEventPublisher, SendEvent } from "@runnel/engine";
import type { EngineServices } from "@runnel/engine/services";
import { createRunFlowFunction, createSchedulerFunction } from "@runnel/engine";

import type { RuntimeLog } from "./log";

/** Tuning of the engine's functions; defaults are the production ones. */
export interface FunctionOptions {
  /** Steps of one org executing at once. Default 10 (see docs/runtime.md). */
  concurrencyPerOrg?: number;
  approvalRecheckMs?: number;
  /** The scheduler's Inngest cron; `false` leaves the scheduler out (tests that tick schedules themselves). */
  schedulerCron?: string | false;
}

export interface FunctionDeps {
  inngest: Inngest.Any;
  services: EngineServices;
  bus: RunEventPublisher;
  /** How the scheduler starts runs: the runtime's sender, which acknowledges delivered start requests. */
  sendEvent: SendEvent;
  log: RuntimeLog;
  options: FunctionOptions;
}

/** runFlow and the scheduler, bound to one Inngest client: what every driver serves. */
export function engineFunctions(deps: FunctionDeps): InngestFunction.Any[] {
  const { inngest, services, bus, options } = deps;
  const runFlow = createRunFlowFunction({
    inngest,
    services,
    bus,
    ...(options.concurrencyPerOrg ? { concurrencyPerOrg: options.concurrencyPerOrg } : {}),
    ...(options.approvalRecheckMs ? { approvalRecheckMs: options.approvalRecheckMs } : {}),
  });
  if (options.schedulerCron === false) return [runFlow];
  const scheduler = createSchedulerFunction({
    inngest,
    db: services.db,
    bus,
    sendEvent: deps.sendEvent,
    log: (level, message, fields) => deps.log(level, message, fields),
    ...(options.schedulerCron ? { cron: options.schedulerCron } : {}),
  });
  return [runFlow, scheduler];
}
