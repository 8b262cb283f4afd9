import type { HttpService } from "@runnel/nodes";

import { fetchParts } from "../http/fetch-parts";
import { AiCallError } from "./errors";

/**
 * A `fetch` for the AI SDK that sends every request through the SSRF-safe HTTP service (so a
 * credential's base URL is subject to the same allow-list as the HTTP node).
 */
export function safeFetchFor(
  http: HttpService,
  limits: { timeoutMs: number; maxResponseBytes: number },
): typeof fetch {
  return async (input, init) => {
    // The buffered service call takes no abort signal: its own timeout bounds it.
    const { signal: _signal, ...parts } = await fetchParts(
      input,
      init,
      (message) => new AiCallError(message),
    );
    const response = await http.fetch({
      ...parts,
      timeoutMs: limits.timeoutMs,
      maxResponseBytes: limits.maxResponseBytes,
    });
    const nullBody = response.status === 204 || response.status === 304 || parts.method === "HEAD";
    return new Response(nullBody ? null : Buffer.from(response.body), {
      status: response.status,
      headers: response.headers,
    });
  };
}
