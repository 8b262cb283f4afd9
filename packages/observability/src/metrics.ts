import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

import type { ObservedRunEvent } from "./run-event";
import { BoundedMap, FINISHED_RUN_STATUS, FINISHED_STEP_STATUS, payloadField } from "./run-event";

/** Usage of a worker pool that runs user code, as its owner reports it. */
export interface PoolUsage {
  size: number;
  busy: number;
  queued: number;
}

export interface MetricsSources {
  /** Runs not finished yet, by status (queued, running, waiting): read at each scrape. */
  queueDepth?: () => Promise<Readonly<Record<string, number>>>;
  /** The user-code worker pool, when this process has one. */
  sandboxPool?: () => PoolUsage | undefined;
}

export interface RunnelMetrics {
  readonly registry: Registry;
  /** Counts runs and steps from the events the engine publishes. */
  observe(events: readonly ObservedRunEvent[]): void;
  /** The text exposition format (what GET /api/metrics answers). */
  render(): Promise<string>;
  readonly contentType: string;
}

const STEP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const RUN_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600];
/** Runs whose start time is remembered for their duration; beyond this, the oldest are forgotten. */
const OPEN_RUNS = 10_000;

/**
 * The process's Prometheus registry: Node.js process metrics plus Runnel's own (docs/operations.md#metrics). Each
 * server process counts the runs and steps it executes; scrape every process.
 */
export function createMetrics(sources: MetricsSources = {}): RunnelMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const runsStarted = new Counter({
    name: "runnel_runs_started_total",
    help: "Runs that started executing (queued → running).",
    registers: [registry],
  });
  const runsFinished = new Counter({
    name: "runnel_runs_finished_total",
    help: "Runs that ended, by final status (succeeded, failed, cancelled).",
    labelNames: ["status"] as const,
    registers: [registry],
  });
  const runsFailed = new Counter({
    name: "runnel_runs_failed_total",
    help: "Runs that ended failed.",
    registers: [registry],
  });
  const stepDuration = new Histogram({
    name: "runnel_step_duration_seconds",
    help: "Time a node took to execute, by outcome (succeeded, failed).",
    labelNames: ["status"] as const,
    buckets: STEP_BUCKETS,
    registers: [registry],
  });
  const runDuration = new Histogram({
    name: "runnel_run_duration_seconds",
    help: "Time from a run's start to its end, by final status.",
    labelNames: ["status"] as const,
    buckets: RUN_BUCKETS,
    registers: [registry],
  });
  if (sources.queueDepth) {
    const read = sources.queueDepth;
    new Gauge({
      name: "runnel_runs_unfinished",
      help: "Runs not finished yet, by status: queued (waiting to start), running, waiting (sleep, event, approval).",
      labelNames: ["status"] as const,
      registers: [registry],
      // A database that does not answer leaves the gauge out of this scrape rather than failing all of it.
      async collect() {
        const depth = await read().catch(() => undefined);
        if (!depth) {
          this.reset();
          return;
        }
        for (const status of ["queued", "running", "waiting"])
          this.set({ status }, depth[status] ?? 0);
      },
    });
  }
  if (sources.sandboxPool) {
    const read = sources.sandboxPool;
    new Gauge({
      name: "runnel_sandbox_pool_workers",
      help: "Workers of the user-code pool, by state (busy, idle), and calls queued for a worker.",
      labelNames: ["state"] as const,
      registers: [registry],
      collect() {
        const usage = read();
        if (!usage) return;
        this.set({ state: "busy" }, usage.busy);
        this.set({ state: "idle" }, Math.max(0, usage.size - usage.busy));
        this.set({ state: "queued" }, usage.queued);
      },
    });
  }

  const runStarts = new BoundedMap<number>(OPEN_RUNS);
  const observe = (events: readonly ObservedRunEvent[]) => {
    for (const event of events) {
      if (event.type === "run.running" && payloadField(event, "previous") === "queued") {
        runsStarted.inc();
        runStarts.set(event.runId, event.createdAt.getTime());
        continue;
      }
      const runStatus = FINISHED_RUN_STATUS[event.type];
      if (runStatus) {
        runsFinished.inc({ status: runStatus });
        if (runStatus === "failed") runsFailed.inc();
        const started = runStarts.take(event.runId);
        if (started !== undefined)
          runDuration.observe(
            { status: runStatus },
            Math.max(0, event.createdAt.getTime() - started) / 1000,
          );
        continue;
      }
      const stepStatus = FINISHED_STEP_STATUS[event.type];
      const durationMs = payloadField(event, "durationMs");
      if (stepStatus && stepStatus !== "skipped" && typeof durationMs === "number")
        stepDuration.observe({ status: stepStatus }, durationMs / 1000);
    }
  };

  return {
    registry,
    observe,
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
