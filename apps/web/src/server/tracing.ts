import "server-only";

import type { ObservabilityEnv, ObservedRunEvent } from "@runnel/observability";
import { tracesUrl } from "@runnel/observability";

export interface ServerTracing {
  runSpans: { observe(events: readonly ObservedRunEvent[]): void };
  flush(): Promise<void>;
}

/**
 * OpenTelemetry when OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set: the SDK is imported
 * only then, so a server without it loads none of it and records no span (docs/operations.md#traces).
 */
export async function startTracingIfConfigured(
  env: ObservabilityEnv,
): Promise<ServerTracing | undefined> {
  const url = tracesUrl(env);
  if (!url) return undefined;
  const { createRunSpans, startTracing } = await import("@runnel/observability/tracing");
  const tracing = startTracing({ url, serviceName: env.OTEL_SERVICE_NAME });
  return { runSpans: createRunSpans(tracing.tracer), flush: () => tracing.flush() };
}
