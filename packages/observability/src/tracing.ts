import type { Tracer } from "@opentelemetry/api";
import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";

export { createRunSpans } from "./run-spans";

export interface TracingOptions {
  /** The OTLP/HTTP traces endpoint (…/v1/traces). */
  url: string;
  serviceName: string;
  /** How long finished spans wait to be sent together. Default 2000 ms. */
  batchDelayMs?: number;
}

export interface Tracing {
  tracer: Tracer;
  /** Sends the spans finished so far. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Installs the process-wide OpenTelemetry tracer provider (W3C `traceparent` propagation, async context) that
 * exports spans by OTLP/HTTP (JSON). Next.js then records its HTTP server spans through it. Only imported when
 * tracing is configured: with no endpoint nothing of the SDK is loaded (docs/operations.md#traces).
 */
export function startTracing(options: TracingOptions): Tracing {
  const exporter = new OTLPTraceExporter({ url: options.url });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName }),
    spanProcessors: [
      new BatchSpanProcessor({ exporter, scheduledDelayMillis: options.batchDelayMs ?? 2000 }),
    ],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return {
    tracer: provider.getTracer("runnel"),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
