import type { Database } from "@runnel/db";
import type { RunEvent } from "@runnel/engine";
import type { JsonValue } from "@runnel/nodes";
import { and, eq } from "@runnel/db";
import { decryptCredential } from "@runnel/db/crypto";
import { credentials } from "@runnel/db/schema";
import { getRunWithSteps, startRun } from "@runnel/engine";
import { checkData, respondNode, WebhookRequest } from "@runnel/nodes";

import type { RestDeps } from "../rest/handler";
import type { Hook } from "./load";
import { startIdempotently } from "../idempotency/guard";
import { fingerprintRaw } from "../idempotency/request";
import { DEFAULT_MAX_BODY_BYTES, readBodyLimited } from "../rest/body";
import { consumeBudget } from "../rest/handler";
import { HttpProblem, jsonResponse, markReplayed, withProblems } from "../rest/problem";
import { watchRun } from "../rest/wait";
import { deliveryKey } from "./delivery";
import { loadHook } from "./load";
import { verifyWebhookSignature } from "./signature";

const PREFIX = "/api/hooks/";

/** Request headers that never reach a run record (they carry the caller's secrets). */
const WITHHELD_HEADERS = new Set(["authorization", "cookie", "proxy-authorization"]);

function unknownHook(hookId: string): HttpProblem {
  return new HttpProblem(404, "not-found", `No active webhook ${hookId}`);
}

/**
 * The signing secret: the trigger's own (set by `triggers.rotateSecret`), else the `webhookSecret` credential the
 * node names. A secret that is configured but cannot be read fails closed.
 */
async function signingSecret(db: Database, hook: Hook, masterKey: Buffer): Promise<string | null> {
  if (hook.secret) {
    const data = decryptCredential({
      masterKey,
      orgId: hook.orgId,
      credentialId: hook.triggerId,
      secret: hook.secret,
    });
    if (!data.secret)
      throw new Error(`webhook trigger ${hook.triggerId}: the stored secret has no value`);
    return data.secret;
  }
  const credentialId = hook.config.signatureCredentialId;
  if (!credentialId) return null;
  const [row] = await db
    .select({ type: credentials.type, secret: credentials.secret })
    .from(credentials)
    .where(and(eq(credentials.id, credentialId), eq(credentials.orgId, hook.orgId)));
  const secret =
    row?.type === "webhookSecret"
      ? decryptCredential({ masterKey, orgId: hook.orgId, credentialId, secret: row.secret }).secret
      : undefined;
  if (!secret) {
    throw new Error(
      `webhook trigger ${hook.triggerId}: signature credential ${credentialId} is missing or not a webhookSecret`,
    );
  }
  return secret;
}

/** The body as the run sees it: JSON when it says so, form fields as an object, anything else as text. */
function parseBody(raw: Buffer, contentType: string | null): JsonValue {
  if (raw.length === 0) return null;
  const text = raw.toString("utf8");
  if (contentType === null || /^application\/([\w.+-]*\+)?json\b/i.test(contentType)) {
    try {
      return JSON.parse(text) as JsonValue;
    } catch (error) {
      if (contentType !== null) {
        throw new HttpProblem(
          400,
          "bad-request",
          `The body is not valid JSON: ${(error as Error).message}`,
        );
      }
      return text;
    }
  }
  if (/^application\/x-www-form-urlencoded\b/i.test(contentType)) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  return text;
}

/** What the run sees; any key (`__proto__` included) stays an own field (docs/expressions.md, "Data is data"). */
function requestForRun(request: Request, body: JsonValue): WebhookRequest {
  const pairs: [string, string][] = [];
  request.headers.forEach((value, name) => {
    if (!WITHHELD_HEADERS.has(name)) pairs.push([name, value]);
  });
  const headers = Object.fromEntries(pairs);
  const query = Object.fromEntries(new URL(request.url).searchParams);
  const checked = checkData(WebhookRequest, { method: request.method, headers, query, body });
  if (!checked.success) throw checked.error;
  return checked.data;
}

/** The Respond node's answer as an HTTP response: JSON unless its headers name another content type. */
function respondWith(value: unknown, runId: string): Response {
  const parsed = respondNode.config.safeParse(value);
  const response = parsed.success ? parsed.data : { status: 200, headers: {}, body: value ?? null };
  const headers = new Headers(response.headers);
  headers.set("x-runnel-run-id", runId);
  const contentType = headers.get("content-type");
  let body: string;
  if (typeof response.body === "string" && contentType && !/json/i.test(contentType)) {
    body = response.body;
  } else {
    if (!contentType) headers.set("content-type", "application/json");
    body = JSON.stringify(response.body ?? null);
  }
  const nullBody = [204, 205, 304].includes(response.status);
  return new Response(nullBody ? null : body, { status: response.status, headers });
}

/**
 * Webhook ingress as one `(Request) => Promise<Response>` for `/api/hooks/{hookId}`: the hook's accepted methods
 * (405 otherwise), a body size limit (413 without reading past it), an HMAC signature when the hook has a secret
 * (401 otherwise), deduplication of repeated deliveries (hooks/delivery.ts), then 202 `{ runId }` or, with respondMode "respond_node", the
 * Respond node's response once the run reaches it (202 when it does not within the node's responseTimeoutMs).
 */
export function createHookHandler(deps: RestDeps): (request: Request) => Promise<Response> {
  const limit = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return withProblems(async (request, requestId) => {
    const { pathname } = new URL(request.url);
    const rest = pathname.startsWith(PREFIX) ? pathname.slice(PREFIX.length) : "";
    if (!/^[A-Za-z0-9_-]{1,100}$/.test(rest)) throw unknownHook(rest || pathname);
    const hook = await (deps.lookups
      ? deps.lookups.hook(rest, () => loadHook(deps.db, rest))
      : loadHook(deps.db, rest));
    if (!hook) throw unknownHook(rest);
    await consumeBudget(deps.rateLimits, "org", hook.orgId);
    const methods: readonly string[] = hook.config.methods;
    if (!methods.includes(request.method)) {
      throw new HttpProblem(
        405,
        "method-not-allowed",
        `This webhook accepts ${methods.join(", ")}, not ${request.method}`,
        {},
        { allow: methods.join(", ") },
      );
    }
    const raw = await readBodyLimited(request, limit);
    const secret = await signingSecret(deps.db, hook, deps.encryptionKey);
    let signedAt: number | null = null;
    if (secret !== null) {
      const check = verifyWebhookSignature(
        request.headers.get(hook.config.signatureHeader),
        secret,
        raw,
      );
      if (!check.ok) {
        throw new HttpProblem(401, "unauthorized", `Signature refused: ${check.detail}`, {
          reason: check.reason,
        });
      }
      signedAt = check.timestamp;
    }
    const body = parseBody(raw, request.headers.get("content-type"));
    const input = requestForRun(request, body);
    const delivery = deliveryKey(request.headers, raw, body, signedAt);
    const { run, replayed } = await startIdempotently(
      deps.db,
      delivery && {
        orgId: hook.orgId,
        scope: `hook:${hook.triggerId}`,
        key: delivery.key,
        requestHash: fingerprintRaw([request.method, new URL(request.url).search, raw]),
        ttlSeconds: delivery.ttlSeconds,
      },
      (idempotencyKey) =>
        startRun({
          db: deps.db,
          sendEvent: deps.engine.sendEvent,
          bus: deps.engine.bus,
          orgId: hook.orgId,
          versionId: hook.versionId,
          input,
          trigger: {
            kind: "webhook",
            nodeId: hook.nodeId,
            info: { hookTriggerId: hook.triggerId, requestId },
          },
          ...(idempotencyKey ? { idempotencyKey } : {}),
        }),
    );
    return markReplayed(await answer(deps, hook, run.id, request.signal), replayed);
  }, deps.onError);
}

/**
 * 202 `{ runId }`, or with respondMode "respond_node" the run's first Respond node's answer (202 when the run ends or
 * the node's responseTimeoutMs passes without one).
 */
async function answer(
  deps: RestDeps,
  hook: Hook,
  runId: string,
  signal: AbortSignal,
): Promise<Response> {
  if (hook.config.respondMode !== "respond_node" || hook.respondNodeIds.size === 0) {
    return jsonResponse({ runId }, 202);
  }
  const began = Date.now();
  const local = await deps.engine.responses?.wait(
    runId,
    hook.respondNodeIds,
    hook.config.responseTimeoutMs,
    signal,
  );
  // The run executes in this process: answered in memory, without the bus (docs/runtime.md, Respond).
  if (local?.kind === "responded") return respondWith(local.value, runId);
  if (local?.kind === "ended" || local?.kind === "timeout") return jsonResponse({ runId }, 202);
  const outcome = await watchRun(
    deps.engine.bus,
    hook.orgId,
    runId,
    Math.max(hook.config.responseTimeoutMs - (Date.now() - began), 0),
    (event: RunEvent) =>
      event.type === "step.succeeded" &&
      event.nodeId !== null &&
      hook.respondNodeIds.has(event.nodeId)
        ? { nodeId: event.nodeId, payload: (event as RunEvent<"step.succeeded">).payload }
        : undefined,
    signal,
  );
  if (outcome === "timeout" || outcome === "ended") return jsonResponse({ runId }, 202);
  if ("value" in outcome.payload.output) return respondWith(outcome.payload.output.value, runId);
  const found = await getRunWithSteps(deps.db, hook.orgId, runId);
  const step = found?.steps.find((s) => s.nodeId === outcome.nodeId && s.status === "succeeded");
  return respondWith(step?.output ?? null, runId);
}
