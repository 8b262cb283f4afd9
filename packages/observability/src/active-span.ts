import { trace } from "@opentelemetry/api";

/** Adds attributes to the span of the current request, if tracing is on (a no-op otherwise). */
export function annotateActiveSpan(attributes: Record<string, string | number | boolean>): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}
