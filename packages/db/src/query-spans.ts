import type { Span } from "@opentelemetry/api";
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";

/**
 * Database spans (docs/operations.md#traces): one CLIENT span per statement, a child of the active span,
 * with the statement's text (parameter values are sent apart from it and never recorded). Only through
 * @opentelemetry/api: with no tracer provider registered, or no recording span active, a query pays one
 * active-span lookup and nothing else.
 */
const tracer = trace.getTracer("@runnel/db");
const MAX_STATEMENT_LENGTH = 4_000;

type Query = (this: unknown, ...args: unknown[]) => unknown;
type ClientClass = abstract new (...args: never[]) => object;

/** A subclass of a node-postgres-compatible `Client` (pg or Neon) whose `query` records a span. */
export function withQuerySpans<C extends ClientClass>(Base: C): C {
  const original = Reflect.get(Base.prototype, "query") as Query;
  const Traced = class extends (Base as unknown as new (...args: unknown[]) => object) {};
  Object.defineProperty(Traced.prototype, "query", {
    value: function query(this: unknown, ...args: unknown[]): unknown {
      if (trace.getActiveSpan()?.isRecording() !== true) return original.apply(this, args);
      return traceQuery(this, original, args);
    },
    writable: true,
    configurable: true,
  });
  return Traced as unknown as C;
}

function traceQuery(client: unknown, original: Query, args: unknown[]): unknown {
  const text = statementOf(args[0]);
  if (text === undefined) return original.apply(client, args);
  const operation = /^\s*([A-Za-z]+)/.exec(text)?.[1]?.toUpperCase() ?? "QUERY";
  const span = tracer.startSpan(operation, {
    kind: SpanKind.CLIENT,
    attributes: {
      "db.system": "postgresql",
      "db.operation": operation,
      "db.statement":
        text.length > MAX_STATEMENT_LENGTH ? `${text.slice(0, MAX_STATEMENT_LENGTH)}…` : text,
    },
  });
  const last = args.length - 1;
  const callback = args[last];
  if (typeof callback === "function") {
    // pg's Pool.query hands the client a callback.
    const traced = [...args];
    traced[last] = (error: unknown, ...rest: unknown[]) => {
      finish(span, error);
      return Reflect.apply(callback, undefined, [error, ...rest]) as unknown;
    };
    return original.apply(client, traced);
  }
  let result: unknown;
  try {
    result = original.apply(client, args);
  } catch (error) {
    finish(span, error);
    throw error;
  }
  if (result instanceof Promise)
    return result.then(
      (value: unknown) => (finish(span, undefined), value),
      (error: unknown) => {
        finish(span, error);
        throw error;
      },
    );
  // A Submittable (cursor, stream): its end is not observable here.
  span.end();
  return result;
}

function statementOf(query: unknown): string | undefined {
  if (typeof query === "string") return query;
  if (typeof query === "object" && query !== null) {
    const text: unknown = Reflect.get(query, "text");
    if (typeof text === "string") return text;
  }
  return undefined;
}

function finish(span: Span, error: unknown): void {
  if (error !== undefined && error !== null) {
    const exception =
      error instanceof Error
        ? error
        : new Error(typeof error === "string" ? error : "the query failed");
    span.recordException(exception);
    span.setStatus({ code: SpanStatusCode.ERROR, message: exception.message });
  }
  span.end();
}
