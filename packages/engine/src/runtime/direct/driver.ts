import { randomUUID } from "node:crypto";

import type { OutgoingEvent } from "../events";
import type { RunFlowResources } from "../flow-run/resources";
import type { RunFlowResult } from "../flow-run/steps";
import type { ChildOutcome } from "./direct-steps";
import type { Halt } from "./execution";
import type { GroupedWrites } from "./grouped-writes";
import { RunNotFoundError } from "../../runs/errors";
import {
  APPROVAL_DECIDED_EVENT,
  ApprovalDecidedData,
  RUN_CANCEL_EVENT,
  RUN_REQUESTED_EVENT,
  RunCancelData,
  RunRequestedData,
} from "../events";
import { executeRun } from "../flow-run/execute-run";
import { MAX_NODE_RETRIES, RunFailedError } from "../flow-run/steps";
import { directSteps, signalKey } from "./direct-steps";
import { Execution } from "./execution";
import { groupedWrites } from "./grouped-writes";
import { createRunJournal } from "./journal";
import { createLeases } from "./leases";
import { createOrgLimiter } from "./org-limiter";
import { readStoredOutcomes } from "./replay";

export interface DirectDriverOptions {
  resources: RunFlowResources;
  /** Steps of one org executing at once. Default 10. */
  concurrencyPerOrg?: number;
  /** How long a claimed run stays ours without a heartbeat (heartbeats every third of it). Default 5 000 ms. */
  leaseMs?: number;
  /** How often due runs (woken, timed out, abandoned by a dead process) are looked for. Default 1 000 ms. */
  pollMs?: number;
  /** A queued run nobody claimed for this long is taken by the poll (its starter died). Default 2 000 ms. */
  unclaimedMs?: number;
  /** Waits up to this long are held in memory; longer ones park the run. Default 5 000 ms. */
  holdMs?: number;
  /** Retries of a failing step (the node's own retry count applies inside). Default 10 (MAX_NODE_RETRIES). */
  maxRetries?: number;
  /** Delay before the retry after failed attempt `attempt` (0-based). Default 15 s × 2^attempt with jitter. */
  retryDelayMs?: (attempt: number) => number;
  /**
   * This driver is the database's only user (an embedded PGlite folder is locked to one process): at start it
   * takes over its dead predecessor's leases at once instead of waiting for them to expire.
   */
  exclusive?: boolean;
  log?: (level: "warn" | "error", message: string, fields?: Record<string, unknown>) => void;
}

const DEFAULT_RETRY_BASE_MS = 15_000;
const pending: ChildOutcome = { kind: "pending" };

function defaultRetryDelay(attempt: number): number {
  return Math.round(DEFAULT_RETRY_BASE_MS * 2 ** attempt * (0.5 + Math.random() * 0.5));
}

/**
 * The direct driver (docs/executor.md, Direct runs): executes runFlow's semantics in this process with no protocol
 * hop. A run is claimed (a lease on its `runs` row), executed in memory over the direct step tools with its steps
 * journalled in `run_journal`, and parked when it must wait longer than `holdMs`; the poll resumes due runs, and
 * runs of a dead process once their lease expires.
 */
export function createDirectDriver(options: DirectDriverOptions) {
  const { resources } = options;
  const { store } = resources;
  const leaseMs = options.leaseMs ?? 5_000;
  const pollMs = options.pollMs ?? 1_000;
  const log = options.log ?? (() => undefined);
  const journal = createRunJournal(resources.db);
  const leases = createLeases(resources.db, `direct-${randomUUID()}`, leaseMs);
  const limit = createOrgLimiter(options.concurrencyPerOrg ?? 10);
  /** Runs claimed or being claimed here; `woken` when a signal came while the claim was under way. */
  type Entry = { execution: Execution | undefined; woken: boolean; done: Promise<ChildOutcome> };
  const executions = new Map<string, Entry>();
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;

  const stepsDeps = {
    journal,
    limit,
    runChild: (runId: string, orgId: string) => drive(runId, orgId),
    holdMs: options.holdMs ?? 5_000,
    maxRetries: options.maxRetries ?? MAX_NODE_RETRIES,
    retryDelayMs: options.retryDelayMs ?? defaultRetryDelay,
  };

  /** A run that ended for good: its journal is no longer needed, and a parent waiting on it is woken. */
  async function ended(execution: Execution, group: GroupedWrites) {
    if (execution.journalled || group.journalled) await journal.forget(execution.runId);
    const parentId = execution.parentRunId;
    if (!parentId) return;
    const parent = executions.get(parentId);
    if (parent?.execution) parent.execution.notify();
    else if (parent) parent.woken = true;
    else {
      await leases.wake(parentId);
      void drive(parentId, execution.orgId);
    }
  }

  async function afterHalt(
    execution: Execution,
    group: GroupedWrites,
    halt: Halt,
  ): Promise<ChildOutcome> {
    await execution.settled();
    await group.flushForHalt();
    if (halt.kind === "park") {
      await leases.park(execution.runId, halt.until, halt.wake);
      return { kind: "pending" };
    }
    if (halt.kind === "cancelled") await journal.forget(execution.runId);
    await leases.release([execution.runId]);
    return { kind: "pending" };
  }

  async function failed(
    execution: Execution,
    group: GroupedWrites,
    error: unknown,
  ): Promise<ChildOutcome> {
    const message = error instanceof Error ? error.message : String(error);
    // What the run's pure steps recorded is kept, if the database takes it.
    await group.writes.flush().catch(() => undefined);
    if (!(error instanceof RunFailedError)) {
      // Retries used up outside a node's own handling (a database outage in `load`): the run fails, as
      // runFlow's onFailure does under Inngest.
      try {
        await store.markRunStatus(execution.orgId, execution.runId, "failed", {
          error: { message, name: error instanceof Error ? error.name : "Error" },
        });
      } catch (markError) {
        if (!(markError instanceof RunNotFoundError)) throw markError;
      }
    }
    await ended(execution, group);
    return { kind: "failed", message };
  }

  async function execute(execution: Execution): Promise<ChildOutcome> {
    const group = groupedWrites(resources);
    const run = executeRun(
      resources,
      directSteps(execution, stepsDeps, group),
      execution,
      group.writes,
    );
    let settled: { result: RunFlowResult } | { error: unknown } | undefined;
    // Once halted, the run's promise never settles, or settles here after the halt; either way it is observed.
    const observed = run.then(
      (result) => (settled = { result }),
      (error: unknown) => (settled = { error }),
    );
    const halt = await Promise.race([observed.then(() => undefined), execution.whenHalted()]);
    execution.stop({ kind: "stopping" });
    await execution.settled();
    // A run whose last step finished while the halt came ended all the same.
    await new Promise((resolve) => setImmediate(resolve));
    const outcome: { result: RunFlowResult } | { error: unknown } | undefined = settled;
    if (!outcome) return afterHalt(execution, group, halt ?? { kind: "stopping" });
    if ("error" in outcome) return failed(execution, group, outcome.error);
    await group.writes.flush();
    await ended(execution, group);
    return { kind: "ended", result: outcome.result };
  }

  /**
   * Executes the run here if nobody else holds it and it is due: resolves when it ended or parked. A run already
   * executing (or being claimed) here is awaited; one held elsewhere, or not due, is `pending`.
   */
  function drive(runId: string, orgId: string): Promise<ChildOutcome> {
    const current = executions.get(runId);
    if (current) return current.done;
    if (stopped) return Promise.resolve(pending);
    const entry: Entry = { execution: undefined, woken: false, done: Promise.resolve(pending) };
    resources.responses?.track(runId);
    entry.done = (async (): Promise<ChildOutcome> => {
      let outcome = pending;
      try {
        const claimed = await leases.claim(runId);
        if (!claimed) return (outcome = await settledOutcome(runId, orgId));
        // A run that never started has no journal (its `load` step sets started_at before it is recorded).
        const resumed = claimed.startedAt !== null;
        const [recorded, stored] = resumed
          ? await Promise.all([journal.read(runId), readStoredOutcomes(resources.db, runId)])
          : [new Map<string, unknown>(), new Map<string, unknown>()];
        entry.execution = new Execution(
          runId,
          claimed.orgId,
          claimed.parentRunId,
          recorded,
          stored,
        );
        return (outcome = await execute(entry.execution));
      } finally {
        executions.delete(runId);
        resources.responses?.finished(runId, outcome.kind === "pending" ? "parked" : "ended");
        if ((entry.woken || entry.execution?.woken) && !stopped) void drive(runId, orgId);
      }
    })();
    executions.set(runId, entry);
    return entry.done;
  }

  /** How a run not executing here stands: ended (from its row) or pending. */
  async function settledOutcome(runId: string, orgId: string): Promise<ChildOutcome> {
    const run = await store.getRun(orgId, runId);
    if (!run) return { kind: "failed", message: `run ${runId} was not found in org ${orgId}` };
    if (run.status === "succeeded" || run.status === "cancelled") {
      const output = run.outputBlobId ? { $runnelBlob: run.outputBlobId, bytes: 0 } : run.output;
      return { kind: "ended", result: { runId, status: run.status, output } };
    }
    if (run.status === "failed")
      return { kind: "failed", message: run.error?.message ?? `run ${runId} failed` };
    return { kind: "pending" };
  }

  /** Records a signal for a waiting run and wakes it (here if it is executing here, else wherever it is claimed). */
  async function signal(runId: string, orgId: string, key: string, data: unknown) {
    await journal.record(runId, key, data);
    const current = executions.get(runId);
    if (current?.execution) {
      current.execution.journalled = true;
      current.execution.recorded.set(key, data);
      current.execution.notify();
      return;
    }
    if (current) {
      current.woken = true;
      return;
    }
    await leases.wake(runId);
    void drive(runId, orgId);
  }

  async function poll() {
    const due = await leases.due(20, options.unclaimedMs ?? 2_000);
    for (const run of due) if (!executions.has(run.id)) void drive(run.id, run.orgId);
  }

  function every(ms: number, task: () => Promise<void>) {
    let busy = false;
    const timer = setInterval(() => {
      if (busy || stopped) return;
      busy = true;
      task()
        .catch((error: unknown) =>
          log("error", "direct driver task failed", { error: String(error) }),
        )
        .finally(() => (busy = false));
    }, ms);
    timer.unref();
    timers.push(timer);
  }

  return {
    /** The events this driver takes instead of an executor (docs/executor.md, Direct runs). */
    handles: (name: string) =>
      name === RUN_REQUESTED_EVENT || name === RUN_CANCEL_EVENT || name === APPROVAL_DECIDED_EVENT,

    /** Delivers one of the handled events. A run request returns once the run is claimed and executing. */
    async send(event: OutgoingEvent): Promise<void> {
      if (event.name === RUN_REQUESTED_EVENT) {
        const { runId, orgId } = RunRequestedData.parse(event.data);
        void drive(runId, orgId).catch((error: unknown) =>
          log("error", "direct run failed", { runId, error: String(error) }),
        );
        return;
      }
      if (event.name === RUN_CANCEL_EVENT) {
        const { runId } = RunCancelData.parse(event.data);
        // The canceller marked the run cancelled: no step starts any more, and its journal is of no use.
        const entry = executions.get(runId);
        if (!entry) return journal.forget(runId);
        entry.execution?.stop({ kind: "cancelled" });
        void entry.done
          .then(() => journal.forget(runId))
          .catch((error: unknown) =>
            log("error", "forgetting a cancelled run's journal failed", {
              runId,
              error: String(error),
            }),
          );
        return;
      }
      if (event.name === APPROVAL_DECIDED_EVENT) {
        const data = ApprovalDecidedData.parse(event.data);
        await signal(
          data.runId,
          data.orgId,
          signalKey(APPROVAL_DECIDED_EVENT, { approvalId: data.approvalId }),
          data,
        );
        return;
      }
      throw new Error(`the direct driver does not handle ${event.name}`);
    },

    async start() {
      stopped = false;
      if (options.exclusive) await leases.takeOverAll();
      every(pollMs, poll);
      every(Math.max(leaseMs / 3, 50), () => leases.heartbeat([...executions.keys()]));
      await poll();
    },

    /** Halts every execution (their runs stay due for the next driver) and waits for their step work. */
    async stop() {
      stopped = true;
      for (const timer of timers.splice(0)) clearInterval(timer);
      const running = [...executions.values()];
      for (const { execution } of running) execution?.stop({ kind: "stopping" });
      await Promise.allSettled(running.map(({ done }) => done));
    },

    /** Runs executing in this process now. */
    get executing(): number {
      return executions.size;
    },
  };
}

export type DirectDriver = ReturnType<typeof createDirectDriver>;
