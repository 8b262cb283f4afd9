import type { HttpService } from "@runnel/nodes";

import { fetchParts } from "../http/fetch-parts";

/**
 * A streaming `fetch` for the MCP SDK's transports that sends every request through the SSRF-safe HTTP service:
 * the server URL and every redirect the SDK follows are checked like any outbound call (RUNNEL_HTTP_ALLOW).
 */
export function mcpFetch(
  http: HttpService,
  limits: { headersTimeoutMs: number; maxStreamBytes: number },
): typeof fetch {
  return async (input, init) =>
    http.stream({
      ...(await fetchParts(input, init, (message) => new TypeError(message))),
      timeoutMs: limits.headersTimeoutMs,
      maxResponseBytes: limits.maxStreamBytes,
    });
}
