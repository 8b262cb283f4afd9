/**
 * Test and benchmark wiring (not exported from the package): runFlow served by inngest/edge in-process and run
 * by the local executor from @runnel/executor (a devDependency), both on one database handle.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { Inngest } from "inngest";
import { serve } from "inngest/edge";

import type { DbHandle } from "@runnel/db";
import type { RunnelExecutor } from "@runnel/executor";
import { and, desc, eq } from "@runnel/db";
import { flows, flowVersions } from "@runnel/db/schema";
import { createExecutor } from "@runnel/executor";

import type { FlowDefinitionInput } from "../flow/definition";
import type { Run } from "../runs/store";
import type { EngineServices } from "../services/node-context";
import type { OutgoingEvent } from "./events";
import type { StartRunOptions } from "./starter";
import { createInProcessEventBus } from "../events/in-process";
import { seedFlowVersion } from "../runs/fixtures";
import { getRun, TERMINAL_RUN_STATUSES } from "../runs/store";
import { createEngineServices } from "../services/node-context";
import { createRunFlowFunction } from "./run-flow";
import { createSchedulerFunction } from "./scheduler";
import { cancelRun, decideRunApproval, startRun } from "./starter";

const noop = () => undefined;

export interface EmbeddedEngineOptions {
  handle: DbHandle;
  /** SSRF allow-list for the HTTP node (tests call servers on 127.0.0.1). */
  allow?: readonly string[];
  concurrencyPerOrg?: number;
  pollMs?: number;
  leaseMs?: number;
  approvalRecheckMs?: number;
  /** Also serves the scheduler function on this Inngest cron (e.g. "* * * * * *" to tick every second). */
  schedulerCron?: string;
  /** Accumulates the milliseconds spent inside the serve handler (SDK + runFlow's step code), for benchmarks. */
  handlerTime?: { ms: number };
}

export type EmbeddedEngine = Awaited<ReturnType<typeof startEmbeddedEngine>>;

export async function startEmbeddedEngine(options: EmbeddedEngineOptions) {
  const { handle } = options;
  const db = handle.db;
  const services: EngineServices & { close(): Promise<void> } = createEngineServices({
    db,
    masterKey: randomBytes(32),
    http: { allow: options.allow ?? ["127.0.0.1/32"] },
  });
  const inngest = new Inngest({
    id: "runnel",
    isDev: true,
    baseUrl: "http://executor.internal",
    fetch: (input, init) => executor.fetch(new Request(input, init)),
    logger: { info: noop, warn: noop, error: noop, debug: noop },
  });
  const bus = createInProcessEventBus({ db });
  const runFlow = createRunFlowFunction({
    inngest,
    services,
    bus,
    ...(options.concurrencyPerOrg ? { concurrencyPerOrg: options.concurrencyPerOrg } : {}),
    ...(options.approvalRecheckMs ? { approvalRecheckMs: options.approvalRecheckMs } : {}),
  });
  const scheduler = options.schedulerCron
    ? [createSchedulerFunction({ inngest, db, bus, cron: options.schedulerCron, log: noop })]
    : [];
  const handler = serve({ client: inngest, functions: [runFlow, ...scheduler] });
  const executor: RunnelExecutor = createExecutor({
    db: handle,
    retryScale: 0.001,
    pollMs: options.pollMs ?? 10,
    ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
    transport: async (request) => {
      const timer = options.handlerTime;
      if (!timer) return handler(request);
      const began = performance.now();
      const response = await handler(request);
      const body = await response.arrayBuffer();
      timer.ms += performance.now() - began;
      return new Response(body, { status: response.status, headers: response.headers });
    },
  });
  await executor.start();
  const synced = await executor.syncApp("http://app.internal/api/inngest");
  if (!synced.ok)
    throw new Error(`registering runFlow failed: ${synced.status} ${await synced.text()}`);

  const sendEvent = async (event: OutgoingEvent) => inngest.send(event);

  return {
    db,
    executor,
    inngest,
    services,
    sendEvent,
    bus,
    start: (start: Omit<StartRunOptions, "db" | "sendEvent" | "bus">) =>
      startRun({ db, sendEvent, bus, ...start }),
    cancel: (orgId: string, runId: string) => cancelRun({ db, sendEvent, bus, orgId, runId }),
    decide: (
      orgId: string,
      approvalId: string,
      decision: "approved" | "rejected",
      extra: { comment?: string; formData?: Record<string, unknown> } = {},
    ) =>
      decideRunApproval({
        db,
        sendEvent,
        bus,
        orgId,
        approvalId,
        decision,
        decidedBy: null,
        ...extra,
      }),
    /** Resolves with the run once it reaches a terminal status (or `status`, when given). */
    async waitForRun(
      orgId: string,
      runId: string,
      status?: string,
      timeoutMs = 30_000,
    ): Promise<Run> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const run = await getRun(db, orgId, runId);
        if (run && (status ? run.status === status : TERMINAL_RUN_STATUSES.has(run.status)))
          return run;
        if (Date.now() > deadline)
          throw new Error(
            `run ${runId} did not reach ${status ?? "a terminal status"} within ${timeoutMs} ms (now ${run?.status ?? "missing"}, error ${JSON.stringify(run?.error)})`,
          );
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      await executor.stop();
      await bus.close();
      await services.close();
    },
  };
}

/** A manual trigger `start` plus the given nodes and edges (settings default). */
export function flowOf(
  nodes: FlowDefinitionInput["nodes"],
  edges: [string, string, string?, string?][],
): FlowDefinitionInput {
  return {
    nodes: [
      { id: "start", type: "manual_trigger", version: 1, name: "Start", config: {} },
      ...nodes,
    ],
    edges: edges.map(([source, target, sourcePort, targetPort], index) => ({
      id: `e${index}`,
      source,
      sourcePort: sourcePort ?? "out",
      target,
      targetPort: targetPort ?? "in",
    })),
  };
}

/** A new org with one flow at version 1. */
export function seedFlow(db: DbHandle["db"], definition: FlowDefinitionInput) {
  return seedFlowVersion(db, definition);
}

/** Another flow of an existing org, published as version 1. */
export async function addFlow(
  db: DbHandle["db"],
  orgId: string,
  definition: FlowDefinitionInput,
): Promise<{ flowId: string; flowVersionId: string }> {
  const [flow] = await db
    .insert(flows)
    .values({
      orgId,
      name: "Flow",
      slug: `flow-${randomUUID().slice(0, 8)}`,
      draft: definition as Record<string, unknown>,
    })
    .returning({ id: flows.id });
  if (!flow) throw new Error("addFlow: inserting the flow returned no row");
  const version = await publishVersion(db, orgId, flow.id, definition);
  return { flowId: flow.id, flowVersionId: version };
}

/** Publishes the next version of a flow; returns its id. */
export async function publishVersion(
  db: DbHandle["db"],
  orgId: string,
  flowId: string,
  definition: FlowDefinitionInput,
): Promise<string> {
  const [latest] = await db
    .select({ number: flowVersions.number })
    .from(flowVersions)
    .where(and(eq(flowVersions.orgId, orgId), eq(flowVersions.flowId, flowId)))
    .orderBy(desc(flowVersions.number))
    .limit(1);
  const [row] = await db
    .insert(flowVersions)
    .values({
      orgId,
      flowId,
      number: (latest?.number ?? 0) + 1,
      definition: definition as Record<string, unknown>,
    })
    .returning({ id: flowVersions.id });
  if (!row) throw new Error("publishVersion: inserting the version returned no row");
  return row.id;
}

export interface HitServer {
  url: string;
  /** Requests seen per path (without the query). */
  hits(path: string): number;
  /** [start, end] times (ms since epoch) of each finished request per path. */
  spans(path: string): [number, number][];
  /** The most requests in flight at once. */
  maxInFlight(): number;
  close(): Promise<void>;
}

/**
 * A local HTTP server the HTTP node calls, counting side effects: `/count/<k>` answers 200; `/slow/<k>?ms=N`
 * answers after N ms; `/flaky/<k>?fail=N` answers 500 to the first N requests, then 200; `/fail/<k>` always 500.
 */
export async function startHitServer(): Promise<HitServer> {
  const counts = new Map<string, number>();
  const spans = new Map<string, [number, number][]>();
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const count = (counts.get(url.pathname) ?? 0) + 1;
    counts.set(url.pathname, count);
    const began = Date.now();
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const answer = (status: number) => {
      inFlight--;
      spans.set(url.pathname, [...(spans.get(url.pathname) ?? []), [began, Date.now()]]);
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify({ path: url.pathname, count }));
    };
    const [, kind] = url.pathname.split("/");
    if (kind === "slow") setTimeout(() => answer(200), Number(url.searchParams.get("ms") ?? "300"));
    else if (kind === "flaky")
      answer(count <= Number(url.searchParams.get("fail") ?? "1") ? 500 : 200);
    else if (kind === "fail") answer(500);
    else answer(200);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: (path) => counts.get(path) ?? 0,
    spans: (path) => spans.get(path) ?? [],
    maxInFlight: () => maxInFlight,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
