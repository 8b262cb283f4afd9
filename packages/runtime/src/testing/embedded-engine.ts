import { randomBytes } from "node:crypto";

import type { DbHandle } from "@runnel/db";
import type { Run, StartRunOptions } from "@runnel/engine";
import {
  cancelRun,
  decideRunApproval,
  getRun,
  startRun,
  TERMINAL_RUN_STATUSES,
} from "@runnel/engine";

import type { Runtime, RuntimeOptions } from "../runtime";
import { startRuntime } from "../runtime";

const quiet = () => undefined;

/** The two ways embedded mode drives runFlow; the runtime suites run on both (docs/executor.md, Direct runs). */
export const RUN_FLOW_BINDINGS = ["direct", "sdk"] as const;
export type RunFlowBinding = (typeof RUN_FLOW_BINDINGS)[number];

export interface EmbeddedEngineOptions {
  handle: DbHandle;
  /** How runFlow is driven: the direct driver (default, as in production) or the executor through the SDK. */
  runFlow?: RunFlowBinding;
  /** SSRF allow-list for the HTTP node (tests call servers on 127.0.0.1). */
  allow?: readonly string[];
  concurrencyPerOrg?: number;
  pollMs?: number;
  leaseMs?: number;
  approvalRecheckMs?: number;
  /** Also serves the scheduler function on this Inngest cron (e.g. "* * * * * *" to tick every second). */
  schedulerCron?: string;
  /** Accumulates the milliseconds spent inside the serve handler (SDK + runFlow's step code), for benchmarks. */
  handlerTime?: { ms: number };
  /** Where the runtime logs (default: nowhere). */
  log?: RuntimeOptions["log"];
  /** Credential master key (default: random); a restarted process passes the same one to read its credentials. */
  masterKey?: Buffer;
}

export type EmbeddedEngine = Awaited<ReturnType<typeof startEmbeddedEngine>>;

/**
 * The production runtime in embedded mode (startRuntime) with test clocks — fast retries and polling, an
 * in-process event bus — plus helpers to start, cancel and decide runs and wait for them.
 */
export async function startEmbeddedEngine(options: EmbeddedEngineOptions) {
  const runtime: Runtime = await startRuntime({
    handle: options.handle,
    masterKey: options.masterKey ?? randomBytes(32),
    mode: { kind: "embedded", runFlow: options.runFlow ?? "direct" },
    httpAllow: options.allow ?? ["127.0.0.1/32"],
    eventBus: "in-process",
    log: options.log ?? quiet,
    functions: {
      schedulerCron: options.schedulerCron ?? false,
      ...(options.concurrencyPerOrg ? { concurrencyPerOrg: options.concurrencyPerOrg } : {}),
      ...(options.approvalRecheckMs ? { approvalRecheckMs: options.approvalRecheckMs } : {}),
    },
    dispatcher: { pollMs: 100, ackFlushMs: 50 },
    executor: {
      retryScale: 0.001,
      pollMs: options.pollMs ?? 10,
      ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
      ...(options.handlerTime ? { handlerTime: options.handlerTime } : {}),
    },
  });
  const { db, sendEvent, bus } = runtime;
  const executor = runtime.executor;
  if (!executor) throw new Error("startEmbeddedEngine: the embedded runtime has no executor");

  return {
    runtime,
    runFlow: options.runFlow ?? "direct",
    db,
    executor,
    services: runtime.services,
    sendEvent,
    bus,
    start: (start: Omit<StartRunOptions, "db" | "sendEvent" | "bus">) =>
      startRun({ db, sendEvent, bus, ...start }),
    cancel: (orgId: string, runId: string) => cancelRun({ db, sendEvent, bus, orgId, runId }),
    decide: (
      orgId: string,
      approvalId: string,
      decision: "approved" | "rejected",
      extra: { comment?: string; formData?: Record<string, unknown> } = {},
    ) =>
      decideRunApproval({
        db,
        sendEvent,
        bus,
        orgId,
        approvalId,
        decision,
        decidedBy: null,
        ...extra,
      }),
    /** Resolves with the run once it reaches a terminal status (or `status`, when given). */
    waitForRun: (orgId: string, runId: string, status?: string, timeoutMs = 30_000) =>
      waitForRun(db, orgId, runId, status, timeoutMs),
    close: () => runtime.stop(),
  };
}

/** Polls the run until it reaches a terminal status (or `status`, when given). */
export async function waitForRun(
  db: DbHandle["db"],
  orgId: string,
  runId: string,
  status?: string,
  timeoutMs = 30_000,
): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await getRun(db, orgId, runId);
    if (run && (status ? run.status === status : TERMINAL_RUN_STATUSES.has(run.status))) return run;
    if (Date.now() > deadline)
      throw new Error(
        `run ${runId} did not reach ${status ?? "a terminal status"} within ${timeoutMs} ms (now ${run?.status ?? "missing"}, error ${JSON.stringify(run?.error)})`,
      );
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
