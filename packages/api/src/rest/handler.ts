import { z } from "zod";

import type { VerifiedApiKey } from "@runnel/auth";
import type { Database } from "@runnel/db";
import type { Run } from "@runnel/engine";
import { bearerToken, verifyApiKey, writeAudit } from "@runnel/auth";
import {
  ApprovalAlreadyDecidedError,
  ApprovalExpiredError,
  ApprovalFormError,
  ApprovalNotFoundError,
  cancelRun,
  decideRunApproval,
  getApproval,
  getRun,
  getRunWithSteps,
  runExists,
} from "@runnel/engine";
import { JsonObjectData } from "@runnel/nodes";

import type { Lookups } from "../lookups";
import type { RateLimits } from "../security/rate-limit";
import type { ApiKeyScope } from "../security/scopes";
import type { EngineDeps } from "../trpc";
import { idempotencyKeyProblem } from "../idempotency/request";
import { RateLimitExceededError } from "../security/rate-limit";
import { keyAllows, scopeForMethod } from "../security/scopes";
import { clientIp } from "../trpc";
import { DEFAULT_MAX_BODY_BYTES, readJsonBody } from "./body";
import { buildOpenApiDocument } from "./openapi";
import { fieldProblems, HttpProblem, jsonResponse, REPLAYED_HEADER, withProblems } from "./problem";
import { runDeployment } from "./run-deployment";
import { runEventStream } from "./sse";
import { checkRunInput, deployedFlowOrProblem } from "./start";

/** What the REST and webhook handlers are composed from (the web app passes its runtime's pieces). */
export interface RestDeps {
  db: Database;
  engine: EngineDeps;
  /** 32-byte credential master key (decrypts webhook signing secrets). */
  encryptionKey: Buffer;
  /** Public base URL: the OpenAPI document's server. */
  appUrl: string;
  /** Largest request body, bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** Where unexpected errors are reported (default console.error). */
  onError?: (error: unknown, requestId: string) => void;
  /** Request budgets (the tRPC ones): REST counts per API key and per org, webhooks per org; unset: none. */
  rateLimits?: RateLimits | undefined;
  /** Hook and deployment lookups cached in this process (one per process, createLookups); unset: read each time. */
  lookups?: Lookups | undefined;
}

/** Counts a request against a budget; over it: 429 with Retry-After. */
export async function consumeBudget(
  rateLimits: RateLimits | undefined,
  scope: "apiKey" | "org",
  key: string,
): Promise<void> {
  try {
    await rateLimits?.consume(scope, key);
  } catch (error) {
    if (error instanceof RateLimitExceededError) {
      throw new HttpProblem(
        429,
        "too-many-requests",
        error.message,
        { retryAfterSeconds: error.retryAfterSeconds },
        { "retry-after": String(error.retryAfterSeconds) },
      );
    }
    throw error;
  }
}

/** Longest `?wait=` in seconds. */
export const MAX_WAIT_SECONDS = 60;

const PREFIX = "/api/v1";

interface Caller {
  key: VerifiedApiKey;
  orgId: string;
}

async function authenticate(db: Database, request: Request): Promise<Caller> {
  const token = bearerToken(request.headers);
  if (token === undefined) {
    throw new HttpProblem(
      401,
      "unauthorized",
      "Send an API key as `Authorization: Bearer rk_...`",
      {},
      {
        "www-authenticate": 'Bearer realm="runnel"',
      },
    );
  }
  const key = await verifyApiKey(db, token);
  if (!key) {
    throw new HttpProblem(
      401,
      "unauthorized",
      "The API key is invalid or has been revoked",
      {},
      {
        "www-authenticate": 'Bearer realm="runnel", error="invalid_token"',
      },
    );
  }
  return { key, orgId: key.orgId };
}

function runNotFound(id: string): HttpProblem {
  return new HttpProblem(404, "not-found", `Run ${id} was not found in this org`);
}

/** The public view of a run. */
export function runView(run: Run) {
  return {
    id: run.id,
    flowId: run.flowId,
    flowVersionId: run.flowVersionId,
    status: run.status,
    triggerKind: run.triggerKind,
    input: run.input ?? null,
    output: run.output ?? null,
    error: run.error ?? null,
    failedNodeId: run.failedNodeId,
    tokensIn: run.tokensIn,
    tokensOut: run.tokensOut,
    costUsd: run.costUsd,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}

function parseWait(url: URL): number {
  const raw = url.searchParams.get("wait");
  if (raw === null || raw === "") return 0;
  if (!/^\d+(\.\d+)?$/.test(raw) || Number(raw) > MAX_WAIT_SECONDS) {
    throw new HttpProblem(
      400,
      "validation",
      `wait must be a number of seconds from 0 to ${MAX_WAIT_SECONDS}`,
      {
        errors: [{ path: "wait", message: `a number of seconds from 0 to ${MAX_WAIT_SECONDS}` }],
      },
    );
  }
  return Number(raw);
}

function accepted(run: Pick<Run, "id" | "status">, extraHeaders: Record<string, string>): Response {
  return jsonResponse({ runId: run.id, status: run.status }, 202, {
    location: `${PREFIX}/runs/${run.id}`,
    ...extraHeaders,
  });
}

/** The `Idempotency-Key` header, trimmed; a 400 problem when it is not a usable key. */
function idempotencyKeyHeader(request: Request): string | undefined {
  const key = request.headers.get("idempotency-key")?.trim();
  if (key === undefined) return undefined;
  const problem = idempotencyKeyProblem(key);
  if (problem !== undefined) {
    throw new HttpProblem(400, "validation", `Idempotency-Key ${problem}`, {
      errors: [{ path: "Idempotency-Key", message: problem }],
    });
  }
  return key;
}

/**
 * The answer for a run that ended while the caller waited: the run resource (its output in `output`). A Respond node
 * does not shape it: Respond answers webhook callers only, and here its `{ status, headers, body }` is the output.
 */
function endedResponse(run: Run, extraHeaders: Record<string, string>): Response {
  const headers = {
    "x-runnel-run-id": run.id,
    "x-runnel-run-status": run.status,
    ...extraHeaders,
  };
  if (run.status === "succeeded") return jsonResponse(runView(run), 200, headers);
  if (run.status === "failed") {
    throw new HttpProblem(
      422,
      "run-failed",
      `Run ${run.id} failed${run.failedNodeId ? ` at node ${run.failedNodeId}` : ""}: ${run.error?.message ?? "unknown error"}`,
      { runId: run.id, failedNodeId: run.failedNodeId, error: run.error ?? null },
      headers,
    );
  }
  throw new HttpProblem(
    409,
    "run-cancelled",
    `Run ${run.id} was cancelled`,
    { runId: run.id },
    headers,
  );
}

async function startFlowRun(
  deps: RestDeps,
  caller: Caller,
  request: Request,
  requestId: string,
  idOrSlug: string,
): Promise<Response> {
  const url = new URL(request.url);
  const waitSeconds = parseWait(url);
  const flow = await deployedFlowOrProblem(deps.db, caller.orgId, idOrSlug, deps.lookups);
  const input = await readJsonBody(request, deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  checkRunInput(flow, input);
  const idempotencyKey = idempotencyKeyHeader(request);
  const result = await runDeployment(deps, {
    orgId: caller.orgId,
    flow,
    input,
    key: caller.key,
    requestId,
    ip: clientIp(request.headers),
    via: "rest",
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    waitMs: waitSeconds * 1000,
    signal: request.signal,
  });
  // A replay answers as the first request did: the same wait, the same status and body, marked as replayed.
  const replay: Record<string, string> = result.replayed ? { [REPLAYED_HEADER]: "true" } : {};
  if (result.ended) return endedResponse(result.run, replay);
  return accepted(result.run, replay);
}

/** The public view of a run with every attempt of every step (`GET /runs/{id}`, `runnel runs get`). */
export function runDetailView(found: NonNullable<Awaited<ReturnType<typeof getRunWithSteps>>>) {
  return {
    ...runView(found.run),
    steps: found.steps.map((step) => ({
      nodeId: step.nodeId,
      attempt: step.attempt,
      status: step.status,
      output: step.output ?? null,
      error: step.error ?? null,
      tokensIn: step.tokensIn,
      tokensOut: step.tokensOut,
      costUsd: step.costUsd,
      startedAt: step.startedAt?.toISOString() ?? null,
      finishedAt: step.finishedAt?.toISOString() ?? null,
    })),
  };
}

export type RunDetailView = ReturnType<typeof runDetailView>;

async function getRunResponse(deps: RestDeps, caller: Caller, runId: string): Promise<Response> {
  const found = await getRunWithSteps(deps.db, caller.orgId, runId);
  if (!found) throw runNotFound(runId);
  return jsonResponse(runDetailView(found), 200);
}

async function cancelRunResponse(
  deps: RestDeps,
  caller: Caller,
  request: Request,
  requestId: string,
  runId: string,
): Promise<Response> {
  if (!(await runExists(deps.db, caller.orgId, runId))) throw runNotFound(runId);
  const cancelled = await cancelRun({
    db: deps.db,
    sendEvent: deps.engine.sendEvent,
    bus: deps.engine.bus,
    orgId: caller.orgId,
    runId,
    reason: `cancelled through the API (key ${caller.key.prefix})`,
  });
  await writeAudit(deps.db, {
    action: "run.cancelled",
    orgId: caller.orgId,
    actorUserId: caller.key.createdBy,
    actorApiKeyId: caller.key.id,
    ip: clientIp(request.headers),
    requestId,
    targetType: "run",
    targetId: runId,
    metadata: { changed: cancelled },
  });
  const run = await getRun(deps.db, caller.orgId, runId);
  return jsonResponse({ id: runId, cancelled, status: run?.status ?? "cancelled" }, 200);
}

export const ApprovalDecisionBody = z.strictObject({
  decision: z.enum(["approve", "reject"]),
  comment: z.string().max(5000, "Comment must be at most 5000 characters").optional(),
  formData: JsonObjectData.optional(),
});

async function decideApprovalResponse(
  deps: RestDeps,
  caller: Caller,
  request: Request,
  requestId: string,
  approvalId: string,
): Promise<Response> {
  const approval = await getApproval(deps.db, caller.orgId, approvalId);
  if (!approval)
    throw new HttpProblem(404, "not-found", `Approval ${approvalId} was not found in this org`);
  const parsed = ApprovalDecisionBody.safeParse(
    await readJsonBody(request, deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES),
  );
  if (!parsed.success) {
    throw new HttpProblem(400, "validation", "The decision is not valid", {
      errors: fieldProblems(parsed.error.issues),
    });
  }
  const decision = parsed.data.decision === "approve" ? "approved" : "rejected";
  let decided;
  try {
    decided = await decideRunApproval({
      db: deps.db,
      sendEvent: deps.engine.sendEvent,
      bus: deps.engine.bus,
      orgId: caller.orgId,
      approvalId,
      decision,
      decidedBy: caller.key.createdBy,
      comment: parsed.data.comment ?? null,
      formData: parsed.data.formData ?? null,
    });
  } catch (error) {
    if (error instanceof ApprovalNotFoundError) {
      throw new HttpProblem(404, "not-found", error.message);
    }
    if (error instanceof ApprovalAlreadyDecidedError || error instanceof ApprovalExpiredError) {
      throw new HttpProblem(409, "conflict", error.message);
    }
    if (error instanceof ApprovalFormError) {
      throw new HttpProblem(400, "validation", error.message, {
        errors: [{ path: "formData", message: error.message }],
      });
    }
    throw error;
  }
  await writeAudit(deps.db, {
    action: "approval.decided",
    orgId: caller.orgId,
    actorUserId: caller.key.createdBy,
    actorApiKeyId: caller.key.id,
    ip: clientIp(request.headers),
    requestId,
    targetType: "approval",
    targetId: decided.id,
    metadata: { runId: decided.runId, nodeId: decided.nodeId, decision },
  });
  return jsonResponse(
    {
      id: decided.id,
      runId: decided.runId,
      status: decided.status,
      decidedAt: decided.decidedAt?.toISOString() ?? null,
    },
    200,
  );
}

type Route = (
  deps: RestDeps,
  caller: Caller,
  request: Request,
  requestId: string,
  param: string,
) => Promise<Response>;

/** Path pattern → handlers per method. `param` is the one path parameter (decoded), if any. */
const ROUTES: { template: string; pattern: RegExp; methods: Record<string, Route> }[] = [
  {
    template: "/openapi.json",
    pattern: /^\/openapi\.json$/,
    methods: {
      GET: async (deps, caller) =>
        jsonResponse(await buildOpenApiDocument(deps.db, caller.orgId, deps.appUrl), 200),
    },
  },
  {
    template: "/flows/{idOrSlug}/runs",
    pattern: /^\/flows\/([^/]+)\/runs$/,
    methods: {
      POST: (deps, caller, request, requestId, param) =>
        startFlowRun(deps, caller, request, requestId, param),
    },
  },
  {
    template: "/runs/{id}",
    pattern: /^\/runs\/([^/]+)$/,
    methods: { GET: (deps, caller, _request, _id, param) => getRunResponse(deps, caller, param) },
  },
  {
    template: "/runs/{id}/events",
    pattern: /^\/runs\/([^/]+)\/events$/,
    methods: {
      GET: async (deps, caller, request, _id, param) => {
        if (!(await runExists(deps.db, caller.orgId, param))) throw runNotFound(param);
        return runEventStream(
          {
            db: deps.db,
            bus: deps.engine.bus,
            orgId: caller.orgId,
            runId: param,
            holder: { kind: "apiKey", apiKeyId: caller.key.id, orgId: caller.orgId },
          },
          request,
        );
      },
    },
  },
  {
    template: "/runs/{id}/cancel",
    pattern: /^\/runs\/([^/]+)\/cancel$/,
    methods: { POST: cancelRunResponse },
  },
  {
    template: "/approvals/{id}",
    pattern: /^\/approvals\/([^/]+)$/,
    methods: { POST: decideApprovalResponse },
  },
];

/** Every REST v1 route as `{ method, path, scope }` (`/api/v1/runs/{id}`), for sweeps and docs. */
export function restRoutes(): { method: string; path: string; scope: ApiKeyScope }[] {
  return ROUTES.flatMap((route) =>
    Object.keys(route.methods).map((method) => ({
      method,
      path: `${PREFIX}${route.template}`,
      scope: scopeForMethod(method),
    })),
  );
}

/**
 * The REST v1 surface as one `(Request) => Promise<Response>`: routes under `/api/v1`, API-key auth before any body
 * is read, org scope from the key, problem+json errors and a request id on every response.
 */
export function createRestHandler(deps: RestDeps): (request: Request) => Promise<Response> {
  return withProblems(async (request, requestId) => {
    const { pathname } = new URL(request.url);
    const path = pathname.startsWith(PREFIX) ? pathname.slice(PREFIX.length) : pathname;
    for (const route of ROUTES) {
      const match = route.pattern.exec(path);
      if (!match) continue;
      const handler = route.methods[request.method];
      if (!handler) {
        throw new HttpProblem(
          405,
          "method-not-allowed",
          `${request.method} is not allowed on ${pathname}`,
          {},
          { allow: Object.keys(route.methods).join(", ") },
        );
      }
      let param = "";
      try {
        param = decodeURIComponent(match[1] ?? "");
      } catch {
        throw new HttpProblem(400, "bad-request", `The path ${pathname} is not valid`);
      }
      const caller = await authenticate(deps.db, request);
      await consumeBudget(deps.rateLimits, "apiKey", caller.key.id);
      await consumeBudget(deps.rateLimits, "org", caller.orgId);
      const needed = scopeForMethod(request.method);
      if (!keyAllows(caller.key.scopes, needed)) {
        throw new HttpProblem(
          403,
          "forbidden",
          `This API key (${caller.key.prefix}…) has the scopes ${caller.key.scopes.join(", ")}; ${request.method} ${pathname} needs ${needed}`,
          { requiredScope: needed },
        );
      }
      return handler(deps, caller, request, requestId, param);
    }
    throw new HttpProblem(404, "not-found", `No API route ${request.method} ${pathname}`);
  }, deps.onError);
}
