import type { HttpService } from "@runnel/nodes";

import { AiCallError } from "./errors";

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const);
type Method = typeof METHODS extends Set<infer M> ? M : never;

function isMethod(value: string): value is Method {
  return (METHODS as Set<string>).has(value);
}

/**
 * A `fetch` for the AI SDK that sends every request through the SSRF-safe HTTP service (so a
 * credential's base URL is subject to the same allow-list as the HTTP node).
 */
export function safeFetchFor(
  http: HttpService,
  limits: { timeoutMs: number; maxResponseBytes: number },
): typeof fetch {
  return async (input, init) => {
    const request = input instanceof Request ? input : undefined;
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const method = (init?.method ?? request?.method ?? "GET").toUpperCase();
    if (!isMethod(method)) throw new AiCallError(`Unsupported HTTP method ${method} for ${url}`);
    const headers: Record<string, string> = {};
    new Headers(init?.headers ?? request?.headers).forEach((value, name) => {
      headers[name] = value;
    });
    let body: string | Uint8Array | undefined;
    const rawBody = init?.body ?? (request ? await request.text() : undefined);
    if (typeof rawBody === "string") body = rawBody;
    else if (rawBody instanceof Uint8Array) body = rawBody;
    else if (rawBody !== undefined && rawBody !== null)
      body = new Uint8Array(await new Response(rawBody).arrayBuffer());
    const response = await http.fetch({
      url,
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      timeoutMs: limits.timeoutMs,
      maxResponseBytes: limits.maxResponseBytes,
    });
    const nullBody = response.status === 204 || response.status === 304 || method === "HEAD";
    return new Response(nullBody ? null : Buffer.from(response.body), {
      status: response.status,
      headers: response.headers,
    });
  };
}
