import "server-only";

import type {
  Logger,
  ObservabilityEnv,
  ObservedRunEvent,
  PoolUsage,
  RunEventObserver,
  RunnelMetrics,
} from "@runnel/observability";
import type { RuntimeLog } from "@runnel/runtime";
import {
  createLogger,
  createMetrics,
  createRunObserver,
  observabilityEnv,
} from "@runnel/observability";

import { getDb } from "./runtime";
import { unfinishedRuns } from "./unfinished-runs";

/**
 * The server's logger, metrics and settings (docs/operations.md): one of each per process, kept on globalThis so
 * every bundle of the app (instrumentation, routes) shares them.
 */
interface ObservabilityGlobals {
  env?: ObservabilityEnv;
  logger?: Logger;
  metrics?: { value: RunnelMetrics | undefined };
  runSpans?: { observe(events: readonly ObservedRunEvent[]): void };
  sandboxPool?: () => PoolUsage;
  observer?: RunEventObserver;
}

const globals = globalThis as typeof globalThis & { __runnelObservability?: ObservabilityGlobals };
const state: ObservabilityGlobals = (globals.__runnelObservability ??= {});

/** RUNNEL_LOG_LEVEL, RUNNEL_METRICS_TOKEN, OTEL_*: validated once. */
export function getObservabilityEnv(): ObservabilityEnv {
  return (state.env ??= observabilityEnv());
}

/** JSON lines on standard output, with the ids of the current request, run and node. */
export function getLogger(): Logger {
  return (state.logger ??= createLogger({
    level: getObservabilityEnv().RUNNEL_LOG_LEVEL,
    base: { service: "runnel-web" },
  }));
}

/** The process's metrics when RUNNEL_METRICS_TOKEN is set; otherwise none are collected at all. */
export function getMetrics(): RunnelMetrics | undefined {
  state.metrics ??= {
    value: getObservabilityEnv().RUNNEL_METRICS_TOKEN
      ? createMetrics({
          queueDepth: async () => unfinishedRuns(await getDb()),
          sandboxPool: () => state.sandboxPool?.(),
        })
      : undefined,
  };
  return state.metrics.value;
}

/** Run and node spans, when tracing is on: set by server/start.ts before the runtime starts. */
export function setRunSpans(spans: { observe(events: readonly ObservedRunEvent[]): void }): void {
  state.runSpans = spans;
}

/** Where the sandbox pool gauge reads from: set by server/start.ts once the runtime runs. */
export function setSandboxPoolSource(read: () => PoolUsage): void {
  state.sandboxPool = read;
}

/** What the runtime hands every batch of run events it publishes: logs, metrics and spans (what is configured). */
export function runEventObserver(): RunEventObserver {
  return (state.observer ??= createRunObserver({
    logger: getLogger(),
    metrics: getMetrics(),
    ...(state.runSpans ? { spans: state.runSpans } : {}),
  }));
}

/** The runtime's, executor's and Inngest SDK's messages as JSON log lines. */
export function runtimeLog(): RuntimeLog {
  const logger = getLogger().child({ component: "runtime" });
  return (level, message, fields) => logger[level](fields ?? {}, message);
}
