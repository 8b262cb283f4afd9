import { randomUUID } from "node:crypto";

import { IdempotencyKeyReusedError } from "../idempotency/claim";

/** Header that carries the request id: taken from the request when it is sane, generated otherwise. */
export const REQUEST_ID_HEADER = "x-request-id";

/** The caller's request id when it is a short token of safe characters, else a new UUID. */
export function requestIdOf(request: Request): string {
  const given = request.headers.get(REQUEST_ID_HEADER)?.trim();
  return given && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}

/** A field-level validation error: `path` is the dotted path of the field (`customer.email`, `items.0`). */
export interface FieldProblem {
  path: string;
  message: string;
}

/** RFC 9457 problem details, with Runnel's extensions. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  requestId: string;
  errors?: FieldProblem[];
  [extension: string]: unknown;
}

const TITLES: Record<string, string> = {
  "bad-request": "Bad request",
  validation: "Validation failed",
  unauthorized: "Unauthorized",
  forbidden: "Forbidden",
  "not-found": "Not found",
  "method-not-allowed": "Method not allowed",
  conflict: "Conflict",
  "idempotency-key-reused": "Idempotency key reused",
  "too-many-requests": "Too many requests",
  "payload-too-large": "Payload too large",
  "unsupported-media-type": "Unsupported media type",
  "run-failed": "Run failed",
  "run-cancelled": "Run cancelled",
  "not-published": "Not published",
  "engine-unavailable": "Engine unavailable",
  internal: "Internal error",
};

export type ProblemKind = keyof typeof TITLES;

/** A problem a handler throws; the handler wrapper turns it into an `application/problem+json` response. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly kind: string,
    readonly detail: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = "HttpProblem";
  }
}

export function problemType(kind: string): string {
  return `urn:runnel:problem:${kind}`;
}

/** Renders a problem for the request it answers. */
export function problemResponse(
  problem: HttpProblem,
  request: Request,
  requestId: string,
): Response {
  const body: ProblemBody = {
    type: problemType(problem.kind),
    title: TITLES[problem.kind] ?? problem.kind,
    status: problem.status,
    detail: problem.detail,
    instance: new URL(request.url).pathname,
    requestId,
    ...problem.extensions,
  };
  return new Response(JSON.stringify(body), {
    status: problem.status,
    headers: {
      ...problem.headers,
      "content-type": "application/problem+json",
      [REQUEST_ID_HEADER]: requestId,
    },
  });
}

export function jsonResponse(
  body: unknown,
  status: number,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** The header that marks an answer given again for a repeated idempotent request (as Stripe's API does). */
export const REPLAYED_HEADER = "idempotent-replayed";

/** `response`, marked `Idempotent-Replayed: true` when it answers a repeat of an earlier request. */
export function markReplayed(response: Response, replayed: boolean): Response {
  if (replayed) response.headers.set(REPLAYED_HEADER, "true");
  return response;
}

function idempotencyKeyReused(error: IdempotencyKeyReusedError): HttpProblem {
  return new HttpProblem(409, "idempotency-key-reused", error.message, {
    idempotencyKey: error.key,
    firstUsedAt: error.firstUsedAt.toISOString(),
    expiresAt: error.expiresAt.toISOString(),
  });
}

/**
 * Wraps a handler: every response carries the request id, thrown HttpProblems (and a reused idempotency key, 409)
 * become problem+json, and anything else
 * becomes a 500 problem whose detail names only the request id (the cause goes to `onError`).
 */
export function withProblems(
  handle: (request: Request, requestId: string) => Promise<Response>,
  onError: (error: unknown, requestId: string) => void = (error, requestId) =>
    console.error(`request ${requestId} failed:`, error),
): (request: Request) => Promise<Response> {
  return async (request) => {
    const requestId = requestIdOf(request);
    let response: Response;
    try {
      response = await handle(request, requestId);
    } catch (error) {
      if (error instanceof HttpProblem) return problemResponse(error, request, requestId);
      if (error instanceof IdempotencyKeyReusedError) {
        return problemResponse(idempotencyKeyReused(error), request, requestId);
      }
      onError(error, requestId);
      return problemResponse(
        new HttpProblem(500, "internal", `The server failed on request ${requestId}`),
        request,
        requestId,
      );
    }
    response.headers.set(REQUEST_ID_HEADER, requestId);
    return response;
  };
}

/** Issues of a zod-style parse as field problems (empty path → the body itself, path ""). */
export function fieldProblems(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): FieldProblem[] {
  return issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
}
