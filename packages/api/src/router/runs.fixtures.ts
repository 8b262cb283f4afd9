/**
 * Test wiring for the runs and approvals routers: a fresh database, the production runtime (@runnel/runtime) in
 * embedded mode with test clocks, and tRPC callers whose context carries its engine.
 */
import { randomBytes } from "node:crypto";

import type { Role } from "@runnel/auth";
import type { FlowDefinitionInput } from "@runnel/engine";
import type { DispatcherOptions, RuntimeMode } from "@runnel/runtime";
import { eq } from "@runnel/db";
import { auditLog, memberships } from "@runnel/db/schema";
import { createTestDb } from "@runnel/db/testing";
import { getRun, TERMINAL_RUN_STATUSES } from "@runnel/engine";
import { startRuntime } from "@runnel/runtime";

import type { EngineDeps } from "../trpc";
import { appRouter } from "../root";
import { createCallerFactory, createTRPCContext, ORG_HEADER } from "../trpc";

const createCaller = createCallerFactory(appRouter);
export type Caller = ReturnType<typeof createCaller>;

export type EngineHarness = Awaited<ReturnType<typeof createEngineHarness>>;

export async function createEngineHarness(
  options: { httpAllow?: string[]; mode?: RuntimeMode; dispatcher?: DispatcherOptions } = {},
) {
  const handle = await createTestDb();
  const encryptionKey = randomBytes(32);
  const runtime = await startRuntime({
    handle,
    masterKey: encryptionKey,
    mode: options.mode ?? { kind: "embedded" },
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    ...(handle.url ? { databaseUrl: handle.url } : {}),
    ...(options.httpAllow ? { httpAllow: options.httpAllow } : {}),
    functions: { approvalRecheckMs: 1000, schedulerCron: false },
    executor: { retryScale: 0.001, pollMs: 10 },
    log: () => undefined,
  });
  const { bus } = runtime;
  const engine: EngineDeps = runtime.engine;
  const { http } = runtime.services;
  let counter = 0;

  async function caller(
    options: { userId?: string; org?: string; apiKey?: string; withEngine?: boolean } = {},
  ): Promise<Caller> {
    const headers = new Headers();
    if (options.org) headers.set(ORG_HEADER, options.org);
    if (options.apiKey) headers.set("authorization", `Bearer ${options.apiKey}`);
    const ctx = await createTRPCContext({
      headers,
      db: handle.db,
      session: options.userId ? { userId: options.userId } : null,
      encryptionKey,
      appUrl: "http://localhost:3000",
      http,
      ...(options.withEngine === false ? {} : { engine }),
    });
    return createCaller(ctx);
  }

  return {
    handle,
    runtime,
    db: handle.db,
    bus,
    engine,
    http,
    encryptionKey,
    caller,
    /** Signs a user up (personal org, owner) and returns their id, org id, e-mail and a caller. */
    async user(name: string) {
      const email = `${name.toLowerCase()}-${++counter}-${randomBytes(3).toString("hex")}@example.com`;
      const { userId } = await (
        await caller()
      ).auth.signUp({ name, email, password: "correct-horse-9" });
      const [membership] = await handle.db
        .select()
        .from(memberships)
        .where(eq(memberships.userId, userId));
      if (!membership) throw new Error(`sign-up of ${email} created no membership`);
      return { userId, orgId: membership.orgId, email, caller: await caller({ userId }) };
    },
    /** Adds a user to an org with a role and returns their caller acting in that org. */
    async member(orgId: string, userId: string, role: Role) {
      await handle.db.insert(memberships).values({ orgId, userId, role });
      return caller({ userId, org: orgId });
    },
    async auditActions(orgId: string) {
      const rows = await handle.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.orgId, orgId))
        .orderBy(auditLog.createdAt);
      return rows.map((row) => row.action);
    },
    /** Polls the run until `done` holds (default: a terminal status). */
    async waitFor(
      orgId: string,
      runId: string,
      done: (status: string) => boolean = (status) => TERMINAL_RUN_STATUSES.has(status as never),
      timeoutMs = 60_000,
    ) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const run = await getRun(handle.db, orgId, runId);
        if (run && done(run.status)) return run;
        if (Date.now() > deadline) {
          throw new Error(
            `run ${runId} is still ${run?.status ?? "missing"} after ${timeoutMs} ms`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async close() {
      await runtime.stop();
      await handle.close();
    },
  };
}

/** Creates, drafts and publishes a flow through the flows router; returns its id. */
export async function publishedFlow(
  caller: Caller,
  name: string,
  definition: FlowDefinitionInput,
): Promise<string> {
  const flow = await caller.flows.create({ name });
  await caller.flows.saveDraft({ id: flow.id, definition });
  await caller.flows.publish({ id: flow.id });
  return flow.id;
}

const trigger = {
  id: "start",
  type: "manual_trigger",
  version: 1,
  name: "Start",
  config: {
    inputSchema: {
      type: "object",
      properties: { name: { type: "string" } },
      required: ["name"],
    },
  },
};

const edge = (source: string, target: string, sourcePort = "out") => ({
  id: `${source}-${target}`,
  source,
  sourcePort,
  target,
  targetPort: "in",
});

/** manual trigger → set (greeting) → code (upper case). */
export function greetFlow(): FlowDefinitionInput {
  return {
    nodes: [
      trigger,
      {
        id: "greet",
        type: "set",
        version: 1,
        name: "Greet",
        config: { keep: "none", fields: [{ name: "greeting", value: "hello {{ trigger.name }}" }] },
      },
      {
        id: "shout",
        type: "code",
        version: 1,
        name: "Shout",
        config: { code: "return { loud: input.greeting.toUpperCase() };" },
      },
    ],
    edges: [edge("start", "greet"), edge("greet", "shout")],
  };
}

/** manual trigger → wait an hour → set. */
export function slowFlow(): FlowDefinitionInput {
  return {
    nodes: [
      trigger,
      {
        id: "pause",
        type: "wait",
        version: 1,
        name: "Pause",
        config: { mode: "duration", duration: { amount: 1, unit: "hours" } },
      },
      { id: "after", type: "set", version: 1, name: "After", config: {} },
    ],
    edges: [edge("start", "pause"), edge("pause", "after")],
  };
}

/** manual trigger → approval (assignees) → set on the approved port. */
export function approvalFlow(assignees: string[]): FlowDefinitionInput {
  return {
    nodes: [
      trigger,
      {
        id: "ask",
        type: "approval",
        version: 1,
        name: "Ask",
        config: { assignees, message: "Ship it?" },
      },
      {
        id: "shipped",
        type: "set",
        version: 1,
        name: "Shipped",
        config: { fields: [{ name: "decision", value: "{{ nodes.ask.decision }}" }] },
      },
    ],
    edges: [edge("start", "ask"), edge("ask", "shipped", "approved")],
  };
}
