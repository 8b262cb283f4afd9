import "server-only";

import type { Logger, ObservabilityEnv, RunnelMetrics } from "@runnel/observability";
import { createLogger, createMetrics, observabilityEnv } from "@runnel/observability";

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
      ? createMetrics({ queueDepth: async () => unfinishedRuns(await getDb()) })
      : undefined,
  };
  return state.metrics.value;
}
