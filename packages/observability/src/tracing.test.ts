import type { Server } from "node:http";
import { createServer } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Tracing } from "./tracing";
import { runEvents } from "./testing";
import { createRunSpans, startTracing } from "./tracing";

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  status?: { code?: number; message?: string };
  attributes: { key: string; value: Record<string, unknown> }[];
}

/** A loopback OTLP/HTTP receiver: keeps the spans of every JSON export request (the exporter's wire format). */
function startReceiver(): Promise<{
  server: Server;
  url: string;
  spans: OtlpSpan[];
  resources: unknown[];
}> {
  const spans: OtlpSpan[] = [];
  const resources: unknown[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      expect(request.url).toBe("/v1/traces");
      expect(request.headers["content-type"]).toContain("application/json");
      const parsed = JSON.parse(body) as {
        resourceSpans: { resource: unknown; scopeSpans: { spans: OtlpSpan[] }[] }[];
      };
      for (const resourceSpans of parsed.resourceSpans) {
        resources.push(resourceSpans.resource);
        for (const scope of resourceSpans.scopeSpans) spans.push(...scope.spans);
      }
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      resolve({ server, url: `http://127.0.0.1:${port}/v1/traces`, spans, resources });
    });
  });
}

function attribute(span: OtlpSpan | undefined, key: string): unknown {
  const value = span?.attributes.find((a) => a.key === key)?.value;
  return value ? Object.values(value)[0] : undefined;
}

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let tracing: Tracing;

beforeAll(async () => {
  receiver = await startReceiver();
  tracing = startTracing({ url: receiver.url, serviceName: "runnel-test", batchDelayMs: 50 });
});

afterAll(async () => {
  await tracing.shutdown();
  await new Promise((done) => receiver.server.close(done));
});

describe("run and node spans over OTLP/HTTP", () => {
  it("exports a span per run with a child span per node, timed by the events, errors marked", async () => {
    const spans = createRunSpans(tracing.tracer);
    const start = new Date("2026-03-01T10:00:00Z");
    spans.observe(
      runEvents(
        "run_t",
        [
          { nodeId: "set", status: "succeeded", durationMs: 4 },
          { nodeId: "http", status: "failed", durationMs: 250 },
        ],
        "failed",
        start,
      ),
    );
    await tracing.flush();

    const run = receiver.spans.find((s) => s.name === "runnel.run");
    const set = receiver.spans.find((s) => s.name === "runnel.node set");
    const http = receiver.spans.find((s) => s.name === "runnel.node http");
    expect(run && set && http).toBeTruthy();
    expect(run?.parentSpanId ?? "").toBe("");
    for (const node of [set, http]) {
      expect(node?.traceId).toBe(run?.traceId);
      expect(node?.parentSpanId).toBe(run?.spanId);
      expect(attribute(node, "runnel.run.id")).toBe("run_t");
    }
    expect(attribute(run, "runnel.run.id")).toBe("run_t");
    expect(attribute(run, "runnel.org.id")).toBe("org_1");
    expect(attribute(run, "runnel.run.trigger")).toBe("webhook");
    expect(attribute(run, "runnel.run.status")).toBe("failed");
    expect(run?.status).toMatchObject({ code: 2, message: "the run failed" });
    expect(attribute(set, "runnel.node.status")).toBe("succeeded");
    expect(attribute(set, "runnel.node.port")).toBe("out");
    expect(http?.status).toMatchObject({ code: 2, message: "http broke" });
    expect(BigInt(run?.startTimeUnixNano ?? 0)).toBe(BigInt(start.getTime()) * 1_000_000n);
    const httpMs =
      Number(BigInt(http?.endTimeUnixNano ?? 0) - BigInt(http?.startTimeUnixNano ?? 0)) / 1e6;
    expect(httpMs).toBe(250);
    expect(JSON.stringify(receiver.resources)).toContain("runnel-test");
  });
});
