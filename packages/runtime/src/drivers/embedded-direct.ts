import { createDirectDriver, createRunFlowResources, createRunResponses } from "@runnel/engine";

import type { DriverDeps, RunFlowDriver } from "./driver";
import { embeddedSdkDriver } from "./embedded-sdk";

/** Inngest's retry timing (15 s, doubling, with jitter), scaled like the executor's (tests use 0.001). */
function retryDelay(scale: number) {
  return (attempt: number) =>
    Math.round(15_000 * 2 ** attempt * (0.5 + Math.random() * 0.5) * scale);
}

/**
 * Embedded mode with no protocol hop (docs/executor.md, Direct runs): runFlow's events go to the engine's direct
 * driver, which executes runs in this process over the run store; the built-in executor stays for the scheduler's
 * cron function (and serves nothing else). A webhook caller waiting for a run executing here is answered in memory
 * (`responses`).
 */
export function embeddedDirectDriver(deps: DriverDeps): RunFlowDriver {
  const responses = createRunResponses();
  const options = deps.functions;
  const tuning = deps.executor;
  const direct = createDirectDriver({
    resources: createRunFlowResources({
      services: deps.services,
      bus: deps.bus,
      responses,
      ...(options.approvalRecheckMs ? { approvalRecheckMs: options.approvalRecheckMs } : {}),
    }),
    ...(options.concurrencyPerOrg ? { concurrencyPerOrg: options.concurrencyPerOrg } : {}),
    ...(tuning.leaseMs !== undefined ? { leaseMs: tuning.leaseMs } : {}),
    ...(tuning.pollMs !== undefined ? { pollMs: Math.max(tuning.pollMs, 50) } : {}),
    ...(tuning.retryScale !== undefined ? { retryDelayMs: retryDelay(tuning.retryScale) } : {}),
    // A PGlite folder is locked to one process: whatever leases it holds belong to a dead predecessor.
    exclusive: deps.handle.driver === "pglite",
    log: (level, message, fields) => deps.log(level, message, fields),
  });
  const sdk = embeddedSdkDriver(deps);
  return {
    send: (event) => (direct.handles(event.name) ? direct.send(event) : sdk.send(event)),
    route: undefined,
    executor: sdk.executor,
    responses,
    async start() {
      await sdk.start();
      await direct.start();
    },
    async stop() {
      await direct.stop();
      await sdk.stop();
    },
  };
}
