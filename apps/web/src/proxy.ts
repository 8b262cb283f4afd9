import type { NextRequest } from "next/server";
import { NextResponse } from "next/server";

import { REQUEST_ID_HEADER, requestIdFrom } from "@runnel/observability/request-id";

import { PATH_HEADER } from "~/lib/path-header";

/**
 * Runs before every route except static files:
 * - gives the request an id — the caller's `x-request-id` when it is sane, else a new UUID — that handlers and logs
 *   read from the request and that every response carries back (docs/operations.md#request-ids);
 * - tells server components which page was asked for (pathname + query), so a signed-out visitor is sent to
 *   /sign-in?callbackUrl=<that page> and comes back to it. Any value the client sent is replaced.
 */
export function proxy(request: NextRequest): NextResponse {
  const requestId = requestIdFrom(request.headers);
  const headers = new Headers(request.headers);
  headers.set(REQUEST_ID_HEADER, requestId);
  headers.set(PATH_HEADER, `${request.nextUrl.pathname}${request.nextUrl.search}`);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set(REQUEST_ID_HEADER, requestId);
  return response;
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
