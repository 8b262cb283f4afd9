import type { StandardSchemaV1 } from "@t3-oss/env-core";
import { createEnv } from "@t3-oss/env-core";
import { z } from "zod";

type RuntimeEnv = Record<string, string | undefined>;

function pathOf(issue: StandardSchemaV1.Issue): string {
  return (issue.path ?? [])
    .map((part) => String(typeof part === "object" ? part.key : part))
    .join(".");
}

/** A bad environment fails with one line per variable: its name and what is accepted (never its value). */
function throwEnvError(issues: readonly StandardSchemaV1.Issue[]): never {
  throw new Error(
    `Invalid environment: ${issues.map((issue) => `${pathOf(issue)}: ${issue.message}`).join("; ")}`,
  );
}

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/**
 * Logs, metrics and traces (docs/operations.md, docs/configuration.md). Reads `process.env` unless given another
 * source; call it where the process starts.
 */
export function observabilityEnv(runtimeEnv: RuntimeEnv = process.env) {
  return createEnv({
    server: {
      RUNNEL_LOG_LEVEL: z
        .enum(LOG_LEVELS, { error: `RUNNEL_LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}` })
        .default("info"),
      /** Bearer token of /api/metrics; unset → /api/metrics answers 404 and no metric is collected. */
      RUNNEL_METRICS_TOKEN: z
        .string()
        .min(16, { error: "RUNNEL_METRICS_TOKEN must be at least 16 characters" })
        .regex(/^[\x21-\x7e]+$/, {
          error: "RUNNEL_METRICS_TOKEN must be printable ASCII without spaces",
        })
        .optional(),
      /** OTLP/HTTP base URL (traces go to <url>/v1/traces); unset → no tracing at all. */
      OTEL_EXPORTER_OTLP_ENDPOINT: z
        .url({
          protocol: /^https?$/,
          error: "OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL",
        })
        .optional(),
      /** Full URL of the traces endpoint, when it is not <OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces. */
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z
        .url({
          protocol: /^https?$/,
          error: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be an http:// or https:// URL",
        })
        .optional(),
      OTEL_SERVICE_NAME: z.string().min(1).default("runnel"),
    },
    runtimeEnv,
    emptyStringAsUndefined: true,
    onValidationError: throwEnvError,
  });
}
export type ObservabilityEnv = ReturnType<typeof observabilityEnv>;

/** Where spans go, or undefined when tracing is off. */
export function tracesUrl(env: ObservabilityEnv): string | undefined {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  return `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, "")}/v1/traces`;
}
