/**
 * The attack sweep's world: a victim org seeded with one id of every kind, an attacker org with its own session and
 * API key, a viewer in the victim org, a table of valid inputs per procedure path, and ways to call any procedure by
 * path through `createCaller` and over real HTTP.
 */
import type { AnyTRPCProcedure } from "@trpc/server";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import superjson from "superjson";
import { ZodError } from "zod";

import type { Database } from "@runnel/db";
import type { FlowDefinitionInput } from "@runnel/engine";
import type { FakeOpenAIServer, McpTestServer } from "@runnel/engine/testing";
import type { HttpService } from "@runnel/nodes";
import { eq } from "@runnel/db";
import {
  apiKeys,
  approvals,
  auditLog,
  credentials,
  deployments,
  flows,
  flowVersions,
  invitations,
  memberships,
  orgs,
  runBlobs,
  runEvents,
  runs,
  runSteps,
  triggers,
} from "@runnel/db/schema";
import { startFakeOpenAI, startMcpTestServer } from "@runnel/engine/testing";

import type { EngineHarness } from "../router/runs.fixtures";
import type { EngineDeps } from "../trpc";
import type { RateLimits } from "./rate-limit";
import { appRouter } from "../root";
import { goodDefinition } from "../router/flows/test-fixtures";
import { approvalFlow, publishedFlow } from "../router/runs.fixtures";
import { createTRPCContext, ORG_HEADER } from "../trpc";
import { rateLimitResponseMeta } from "./rate-limit";

export type ProcedureType = "query" | "mutation" | "subscription";

/** Every procedure of the app router by dotted path, with its type and whether it parses an input. */
export function listProcedures(): { path: string; type: ProcedureType; hasInput: boolean }[] {
  const procedures: Record<string, unknown> = appRouter._def.procedures;
  return Object.entries(procedures as Record<string, AnyTRPCProcedure>)
    .map(([path, procedure]) => ({
      path,
      type: procedure._def.type,
      hasInput: procedure._def.inputs.length > 0,
    }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

/** One id of every kind in the victim org. */
export interface Seed {
  orgId: string;
  ownerId: string;
  /** An editor of the victim org (the target of member procedures). */
  memberId: string;
  /** A viewer of the victim org. */
  viewerId: string;
  flowId: string;
  versionId: string;
  runId: string;
  approvalId: string;
  credentialId: string;
  /** An OpenAI-compatible credential pointing at the fake provider on loopback (Test connection, model list). */
  providerCredentialId: string;
  /** The Streamable HTTP URL of the MCP server on loopback, and the `mcp` credential its bearer check needs. */
  mcpServerUrl: string;
  mcpCredentialId: string;
  apiKeyId: string;
  invitationId: string;
  webhookTriggerId: string;
  scheduleTriggerId: string;
  /** The flow with the webhook and schedule triggers. */
  triggerFlowId: string;
  deploymentId: string;
}

let emails = 0;
const freshEmail = () =>
  `sweep-${++emails}-${randomBytes(4).toString("hex")}@example.com`.toLowerCase();

/**
 * How a procedure is called in the sweep. `foreign`: what an actor of another org gets for this input — NOT_FOUND when
 * the input names the victim org's ids, or `own` when it names none (the call acts in the caller's own org or on the
 * caller's own account, and must neither change nor reveal anything of the victim org).
 */
export interface SweepEntry {
  input: (seed: Seed) => unknown;
  foreign: "NOT_FOUND" | "own";
}

const own = (input: (seed: Seed) => unknown): SweepEntry => ({ input, foreign: "own" });
const victims = (input: (seed: Seed) => unknown): SweepEntry => ({ input, foreign: "NOT_FOUND" });

function flowDocument() {
  return {
    format: "runnel.flow",
    formatVersion: 1,
    name: "Imported by the sweep",
    definition: goodDefinition(),
  };
}

/**
 * A valid input for every procedure path. The sweep fails for a procedure missing here, so a new procedure must be
 * added (and is then swept).
 */
export const SWEEP_INPUTS: Record<string, SweepEntry> = {
  "auth.signUp": own(() => ({ name: "Sweep", email: freshEmail(), password: "password-123" })),
  // A wrong current password: the sweep must not change anyone's password (the refusal is a field error).
  "auth.changePassword": own(() => ({
    currentPassword: "not-the-password",
    newPassword: "sweep-new-password-1",
  })),
  "auth.signOutEverywhere": own(() => undefined),
  "me.get": own(() => undefined),

  "orgs.list": own(() => undefined),
  "orgs.create": own(() => ({ name: "Sweep org" })),
  "orgs.rename": own(() => ({ name: "Renamed by the sweep" })),
  "orgs.members": own(() => undefined),
  "orgs.invite": own(() => ({ role: "viewer" })),
  "orgs.revokeInvite": victims((s) => ({ id: s.invitationId })),
  "orgs.invitePreview": victims((s) => ({ token: s.invitationId })),
  "orgs.acceptInvite": victims((s) => ({ token: s.invitationId })),
  "orgs.setRole": victims((s) => ({ userId: s.memberId, role: "admin" })),
  "orgs.removeMember": victims((s) => ({ userId: s.memberId })),

  "apiKeys.list": own(() => undefined),
  "apiKeys.create": own(() => ({ name: "sweep" })),
  "apiKeys.revoke": victims((s) => ({ id: s.apiKeyId })),

  "credentials.types": own(() => undefined),
  "credentials.list": own(() => undefined),
  "credentials.create": own(() => ({
    type: "httpBearer",
    name: "sweep",
    data: { token: "sweep-token" },
  })),
  "credentials.test": victims((s) => ({ id: s.providerCredentialId })),
  "credentials.models": victims((s) => ({ id: s.providerCredentialId })),
  "credentials.update": victims((s) => ({ id: s.credentialId, name: "renamed" })),
  "credentials.delete": victims((s) => ({ id: s.credentialId })),

  "mcp.tools": victims((s) => ({ url: s.mcpServerUrl, credentialId: s.mcpCredentialId })),

  "flows.list": own(() => ({ limit: 25 })),
  "flows.get": victims((s) => ({ id: s.flowId })),
  "flows.create": own(() => ({ name: "Sweep flow" })),
  "flows.saveDraft": victims((s) => ({ id: s.flowId, definition: goodDefinition("changed") })),
  "flows.validate": victims((s) => ({ id: s.flowId })),
  "flows.publish": victims((s) => ({ id: s.flowId, message: "sweep" })),
  "flows.versions": victims((s) => ({ id: s.flowId })),
  "flows.version": victims((s) => ({ id: s.flowId, number: 1 })),
  "flows.diff": victims((s) => ({ id: s.flowId, from: 1, to: "draft" })),
  "flows.duplicate": victims((s) => ({ id: s.flowId })),
  "flows.delete": victims((s) => ({ id: s.flowId })),
  "flows.export": victims((s) => ({ id: s.flowId })),
  "flows.import": own(() => ({ document: flowDocument() })),

  "nodes.catalogue": own(() => undefined),

  "deployments.list": own(() => undefined),
  "deployments.get": victims((s) => ({ flowId: s.flowId })),
  "deployments.publish": victims((s) => ({ flowId: s.flowId, versionId: s.versionId })),
  "deployments.unpublish": victims((s) => ({ flowId: s.flowId })),
  "deployments.setMcp": victims((s) => ({ flowId: s.flowId, enabled: true })),
  "deployments.openapi": own(() => undefined),

  "triggers.list": victims((s) => ({ flowId: s.triggerFlowId })),
  "triggers.listAll": own(() => undefined),
  "triggers.rotateSecret": victims((s) => ({ id: s.webhookTriggerId })),
  "triggers.createSchedule": victims((s) => ({ flowId: s.triggerFlowId, cron: "0 * * * *" })),
  "triggers.updateSchedule": victims((s) => ({ id: s.scheduleTriggerId, enabled: false })),

  "runs.start": victims((s) => ({ flowId: s.flowId, input: { name: "sweep" } })),
  "runs.list": own((s) => ({ flowId: s.flowId })),
  "runs.get": victims((s) => ({ id: s.runId })),
  "runs.definition": victims((s) => ({ id: s.runId })),
  "runs.cancel": victims((s) => ({ id: s.runId })),
  "runs.events": victims((s) => ({ id: s.runId })),
  "runs.watch": victims((s) => ({ id: s.runId })),
  "runs.test": victims((s) => ({ flowId: s.flowId, input: { name: "sweep" } })),
  "runs.rerunFrom": victims((s) => ({ runId: s.runId, nodeId: "start", draft: true })),

  "usage.daily": victims((s) => ({ flowId: s.flowId })),
  "usage.summary": own(() => undefined),

  "approvals.pending": own(() => undefined),
  "approvals.decided": own(() => undefined),
  "approvals.decide": victims((s) => ({ id: s.approvalId, decision: "approve" })),
};

/** Procedures anyone may call signed out; reviewed: each checks its own secret (invite token) or creates an account. */
export const PUBLIC_PROCEDURES = ["auth.signUp", "orgs.invitePreview"];

/**
 * Mutations a viewer of the victim org may call because they are not acts in that org: creating an account, an org of
 * one's own, accepting an invite (which needs the invite's secret token), or acts on their own account.
 */
export const VIEWER_MUTATIONS_NOT_ROLE_GATED = [
  "auth.signUp",
  "auth.changePassword",
  "auth.signOutEverywhere",
  "orgs.acceptInvite",
  "orgs.create",
];

function triggerDefinition(): FlowDefinitionInput {
  return {
    nodes: [
      { id: "hook", type: "webhook_trigger", version: 1, name: "Hook", config: {} },
      {
        id: "tick",
        type: "schedule_trigger",
        version: 1,
        name: "Tick",
        config: { cron: "0 9 * * *", timezone: "UTC" },
      },
      { id: "after_hook", type: "set", version: 1, name: "After hook", config: {} },
      { id: "after_tick", type: "set", version: 1, name: "After tick", config: {} },
    ],
    edges: [
      { id: "e1", source: "hook", sourcePort: "out", target: "after_hook", targetPort: "in" },
      { id: "e2", source: "tick", sourcePort: "out", target: "after_tick", targetPort: "in" },
    ],
  };
}

export interface World {
  seed: Seed;
  /** The fake model provider the provider credential points at; closed with the world. */
  provider: FakeOpenAIServer;
  /** The MCP server the mcp credential is for; closed with the world. */
  mcpServer: McpTestServer;
  /** The attacker: a user of another org (owner there) and an API key of that org. */
  attacker: { userId: string; orgId: string; apiKey: string };
}

/** Seeds the victim org (owner, editor, viewer, and every kind of id) and the attacker org. */
export async function seedWorld(t: EngineHarness): Promise<World> {
  const owner = await t.user("Victim");
  const member = await t.user("Member");
  const viewer = await t.user("Viewer");
  await t.member(owner.orgId, member.userId, "editor");
  await t.member(owner.orgId, viewer.userId, "viewer");
  const ada = owner.caller;

  const flowId = await publishedFlow(ada, "Approval", approvalFlow(["nobody@example.com"]));
  const [version] = await ada.flows.versions({ id: flowId });
  if (!version) throw new Error("the seeded flow has no published version");
  const deployment = await ada.deployments.publish({ flowId });
  const run = await ada.runs.start({ flowId, input: { name: "victim" } });
  await t.waitFor(owner.orgId, run.id, (status) => status === "waiting");
  const [approval] = await ada.approvals.pending();
  if (!approval) throw new Error("the seeded run made no approval");

  const triggerFlowId = await publishedFlow(ada, "Triggered", triggerDefinition());
  const listed = await ada.triggers.list({ flowId: triggerFlowId });
  const webhook = listed.webhooks[0];
  const schedule = listed.schedules[0];
  if (!webhook || !schedule) throw new Error("publishing the trigger flow made no triggers");

  const credential = await ada.credentials.create({
    type: "httpBearer",
    name: "victim",
    data: { token: "victim-secret" },
  });
  const provider = await startFakeOpenAI({
    apiKey: "victim-provider-key",
    models: ["gpt-4.1-mini"],
  });
  const providerCredential = await ada.credentials.create({
    type: "openaiCompatible",
    name: "victim provider",
    data: { baseUrl: provider.baseUrl, apiKey: "victim-provider-key" },
  });
  const mcpServer = await startMcpTestServer({
    requireHeaders: { authorization: "Bearer victim-mcp-token" },
  });
  const mcpCredential = await ada.credentials.create({
    type: "mcp",
    name: "victim MCP server",
    data: { bearerToken: "victim-mcp-token" },
  });
  const key = await ada.apiKeys.create({ name: "victim" });
  const invite = await ada.orgs.invite({ role: "editor" });

  const attacker = await t.user("Attacker");
  const attackerKey = await attacker.caller.apiKeys.create({ name: "attacker" });
  await publishedFlow(attacker.caller, "Attacker flow", goodDefinition());

  return {
    seed: {
      orgId: owner.orgId,
      ownerId: owner.userId,
      memberId: member.userId,
      viewerId: viewer.userId,
      flowId,
      versionId: version.id,
      runId: run.id,
      approvalId: approval.id,
      credentialId: credential.id,
      providerCredentialId: providerCredential.id,
      mcpServerUrl: `${mcpServer.url}/mcp`,
      mcpCredentialId: mcpCredential.id,
      apiKeyId: key.id,
      invitationId: invite.id,
      webhookTriggerId: webhook.id,
      scheduleTriggerId: schedule.id,
      triggerFlowId,
      deploymentId: deployment.id,
    },
    attacker: { userId: attacker.userId, orgId: attacker.orgId, apiKey: attackerKey.key },
    provider,
    mcpServer,
  };
}

/**
 * Columns the runtime rewrites on its own, with no call from anyone: the direct driver's lease on a run, released
 * when it parks a run that waits for an approval. They are not the org's data, so a snapshot leaves them out.
 */
const RUNTIME_BOOKKEEPING: Partial<Record<string, readonly string[]>> = {
  runs: ["leaseOwner", "leaseUntil"],
};

function withoutKeys(row: unknown, keys: readonly string[] = []): unknown {
  if (keys.length === 0 || typeof row !== "object" || row === null) return row;
  return Object.fromEntries(Object.entries(row).filter(([key]) => !keys.includes(key)));
}

/** Every row of the org's tenant tables, in a stable order: equal snapshots mean nothing changed. */
export async function snapshotOrg(db: Database, orgId: string): Promise<Record<string, string[]>> {
  const tables = {
    apiKeys,
    approvals,
    auditLog,
    credentials,
    deployments,
    flows,
    flowVersions,
    invitations,
    memberships,
    runBlobs,
    runEvents,
    runs,
    runSteps,
    triggers,
  };
  const snapshot: Record<string, string[]> = {};
  snapshot.orgs = (await db.select().from(orgs).where(eq(orgs.id, orgId))).map((row) =>
    JSON.stringify(row),
  );
  for (const [name, table] of Object.entries(tables)) {
    const rows: unknown[] = await db.select().from(table).where(eq(table.orgId, orgId));
    snapshot[name] = rows
      .map((row) => JSON.stringify(withoutKeys(row, RUNTIME_BOOKKEEPING[name])))
      .sort();
  }
  return snapshot;
}

/** The outcome of one call: a tRPC error code (with zod field errors), or "OK" with the result. */
export interface Outcome {
  code: string;
  fieldErrors?: Record<string, string[]>;
  formErrors?: string[];
  result?: unknown;
}

const SUBSCRIPTION_WAIT_MS = 10_000;

/** Reads the first item of a subscription (or its error), then stops it. */
async function firstItem(iterable: AsyncIterable<unknown>): Promise<unknown> {
  const iterator = iterable[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  try {
    const first = await Promise.race([
      iterator.next(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no item within ${SUBSCRIPTION_WAIT_MS} ms`)),
          SUBSCRIPTION_WAIT_MS,
        );
      }),
    ]);
    return first.value;
  } finally {
    clearTimeout(timer);
    await iterator.return?.();
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

/** Calls a procedure by dotted path on a server-side caller. */
export async function callByPath(caller: unknown, path: string, input: unknown): Promise<Outcome> {
  let target: unknown = caller;
  for (const part of path.split(".")) {
    target = (target as Record<string, unknown>)[part];
  }
  if (typeof target !== "function") throw new Error(`the caller has no procedure ${path}`);
  try {
    const result: unknown = await (target as (input: unknown) => Promise<unknown>)(input);
    return { code: "OK", result: isAsyncIterable(result) ? await firstItem(result) : result };
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    if (error.cause instanceof ZodError) {
      const fieldErrors: Record<string, string[]> = {};
      const formErrors: string[] = [];
      for (const issue of error.cause.issues) {
        if (issue.path.length === 0) formErrors.push(issue.message);
        else (fieldErrors[issue.path.map(String).join(".")] ??= []).push(issue.message);
      }
      return { code: error.code, fieldErrors, formErrors };
    }
    return { code: error.code };
  }
}

/** Header the sweep's HTTP server reads as the signed-in user (standing in for next-auth's session cookie). */
export const TEST_SESSION_HEADER = "x-sweep-session";

export interface SweepServer {
  base: string;
  close(): Promise<void>;
}

/** tRPC's fetch adapter behind node:http on 127.0.0.1 (port 0), as apps/web mounts it, with the rate-limit header. */
export async function startServer(
  t: { db: Database; encryptionKey: Buffer; engine?: EngineDeps; http?: HttpService },
  options: { rateLimits?: RateLimits } = {},
): Promise<SweepServer> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === "string") headers.set(name, value);
      }
      const request = new Request(`http://127.0.0.1${req.url ?? "/"}`, {
        method: req.method,
        headers,
        body: req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks),
      });
      const sessionUser = headers.get(TEST_SESSION_HEADER);
      const response = await fetchRequestHandler({
        endpoint: "/api/trpc",
        req: request,
        router: appRouter,
        createContext: () =>
          createTRPCContext({
            headers: request.headers,
            db: t.db,
            session: sessionUser ? { userId: sessionUser } : null,
            encryptionKey: t.encryptionKey,
            appUrl: "http://localhost:3000",
            ...(t.http ? { http: t.http } : {}),
            ...(t.engine ? { engine: t.engine } : {}),
            ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
          }),
        responseMeta: rateLimitResponseMeta,
      });
      response.headers.forEach((value, name) => res.setHeader(name, value));
      res.writeHead(response.status);
      if (!response.body) {
        res.end();
        return;
      }
      const reader = response.body.getReader();
      res.on("close", () => void reader.cancel());
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        res.write(value);
      }
      res.end();
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}/api/trpc`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Who calls over HTTP: nobody, a session (user id, optionally an active org), or an API key. */
export type HttpActor =
  | { kind: "none" }
  | { kind: "session"; userId: string; org?: string }
  | { kind: "apiKey"; key: string };

export interface HttpOutcome extends Outcome {
  status: number;
  retryAfter: string | null;
}

interface ErrorData {
  data?: {
    code?: string;
    zodError?: { fieldErrors: Record<string, string[]>; formErrors: string[] } | null;
  };
}

interface ErrorBody {
  error?: { json?: ErrorData };
  result?: { data?: { json?: unknown } };
}

function outcomeOfError(error: ErrorData | undefined): Outcome {
  const data = error?.data;
  return {
    code: data?.code ?? "UNKNOWN",
    ...(data?.zodError
      ? { fieldErrors: data.zodError.fieldErrors, formErrors: data.zodError.formErrors }
      : {}),
  };
}

/**
 * Calls a procedure over HTTP the way @trpc/client does without batching: queries as GET with `?input=`, mutations
 * as POST with a JSON body, subscriptions as a GET event stream (read up to its first event).
 */
export async function callOverHttp(
  server: SweepServer,
  path: string,
  type: ProcedureType,
  input: unknown,
  actor: HttpActor,
  extraHeaders: Record<string, string> = {},
): Promise<HttpOutcome> {
  const headers: Record<string, string> = { ...extraHeaders };
  if (actor.kind === "session") {
    headers[TEST_SESSION_HEADER] = actor.userId;
    if (actor.org) headers[ORG_HEADER] = actor.org;
  }
  if (actor.kind === "apiKey") headers.authorization = `Bearer ${actor.key}`;
  const encoded = superjson.serialize(input);
  const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(encoded))}`;
  const response =
    type === "mutation"
      ? await fetch(`${server.base}/${path}`, {
          method: "POST",
          headers: { ...headers, "content-type": "application/json" },
          body: JSON.stringify(input === undefined ? {} : encoded),
        })
      : await fetch(`${server.base}/${path}${query}`, {
          headers: type === "subscription" ? { ...headers, accept: "text/event-stream" } : headers,
        });
  const retryAfter = response.headers.get("retry-after");
  if ((response.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
    return { ...(await firstSseOutcome(response)), status: response.status, retryAfter };
  }
  const body = (await response.json()) as ErrorBody;
  const outcome: Outcome = body.error
    ? outcomeOfError(body.error.json)
    : { code: "OK", result: body.result?.data?.json };
  return { ...outcome, status: response.status, retryAfter };
}

/** The first data or error event of a tRPC event stream. */
async function firstSseOutcome(response: Response): Promise<Outcome> {
  if (!response.body) return { code: "NO_BODY" };
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const deadline = Date.now() + SUBSCRIPTION_WAIT_MS;
  try {
    while (Date.now() < deadline) {
      const { done, value } = await reader.read();
      if (done) return { code: "ENDED" };
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: ?(.*)$/m.exec(block)?.[1];
        const data = block
          .split("\n")
          .filter((line) => line.startsWith("data:"))
          .map((line) => line.slice(5).trimStart())
          .join("\n");
        if (event === "serialized-error") {
          const parsed = JSON.parse(data) as { json?: ErrorData };
          return outcomeOfError(parsed.json);
        }
        if (event === undefined && data !== "") return { code: "OK", result: JSON.parse(data) };
      }
    }
    return { code: "TIMEOUT" };
  } finally {
    await reader.cancel();
  }
}
