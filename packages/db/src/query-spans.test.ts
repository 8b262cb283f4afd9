import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";

import { queryRows } from "./client";
import { describeEachDriver } from "./testing";

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  trace.setGlobalTracerProvider(provider);
});

afterAll(async () => {
  trace.disable();
  context.disable();
  await provider.shutdown();
});

beforeEach(() => exporter.reset());

const attribute = (name: string, key: string): unknown =>
  exporter.getFinishedSpans().find((span) => span.name === name)?.attributes[key];

describeEachDriver(
  "database spans",
  (suite) => {
    it("records a statement inside a node span as its child, without parameter values", async () => {
      const tracer = trace.getTracer("test");
      await tracer.startActiveSpan("runnel.node fetch", async (node) => {
        await queryRows(suite.db, sql`select ${"secret-value"}::text as v`);
        node.end();
      });
      const spans = exporter.getFinishedSpans();
      const query = spans.find((span) => span.name === "SELECT");
      const node = spans.find((span) => span.name === "runnel.node fetch");
      expect(query?.parentSpanContext?.spanId).toBe(node?.spanContext().spanId);
      expect(query?.spanContext().traceId).toBe(node?.spanContext().traceId);
      expect(query?.kind).toBe(SpanKind.CLIENT);
      expect(query?.attributes).toEqual({
        "db.system": "postgresql",
        "db.operation": "SELECT",
        "db.statement": "select $1::text as v",
      });
      expect(JSON.stringify(spans.map((span) => span.attributes))).not.toContain("secret-value");
    });

    it("marks a failing statement with its error", async () => {
      await trace.getTracer("test").startActiveSpan("runnel.run", async (run) => {
        await expect(queryRows(suite.db, sql`select * from no_such_table`)).rejects.toThrow();
        run.end();
      });
      const failed = exporter.getFinishedSpans().find((span) => span.name === "SELECT");
      expect(failed?.status.code).toBe(SpanStatusCode.ERROR);
      expect(failed?.status.message).toMatch(/no_such_table/);
      expect(failed?.events.map((event) => event.name)).toContain("exception");
    });

    it("records statements in a transaction (a checked-out client)", async () => {
      await trace.getTracer("test").startActiveSpan("runnel.run", async (run) => {
        await suite.db.transaction(async (tx) => {
          await tx.execute(sql`select 1`);
        });
        run.end();
      });
      const names = exporter.getFinishedSpans().map((span) => span.name);
      expect(names).toEqual(expect.arrayContaining(["BEGIN", "SELECT", "COMMIT", "runnel.run"]));
      expect(attribute("BEGIN", "db.operation")).toBe("BEGIN");
    });

    it("records nothing outside a span", async () => {
      await queryRows(suite.db, sql`select 1 as one`);
      expect(exporter.getFinishedSpans()).toEqual([]);
    });
  },
  { drivers: ["pg", "neon"], migrations: [] },
);
