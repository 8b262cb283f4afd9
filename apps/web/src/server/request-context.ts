import "server-only";

import {
  annotateActiveSpan,
  REQUEST_ID_HEADER,
  requestIdFrom,
  withLogContext,
} from "@runnel/observability";

/**
 * Runs a route handler with the request's id in the log context and on the response. The proxy (src/proxy.ts)
 * already set a sane `x-request-id` on the request; reading it again keeps a handler correct without the proxy.
 */
export async function withRequestContext(
  request: Request,
  handle: (requestId: string) => Promise<Response>,
): Promise<Response> {
  const requestId = requestIdFrom(request.headers);
  annotateActiveSpan({ "http.request.header.x-request-id": requestId });
  const response = await withLogContext({ requestId }, () => handle(requestId));
  if (!response.headers.has(REQUEST_ID_HEADER)) {
    try {
      response.headers.set(REQUEST_ID_HEADER, requestId);
    } catch {
      // Immutable headers (a Response.redirect or a fetched response): copy into a new response.
      const headers = new Headers(response.headers);
      headers.set(REQUEST_ID_HEADER, requestId);
      return new Response(response.body, {
        status: response.status,
        statusText: response.statusText,
        headers,
      });
    }
  }
  return response;
}
