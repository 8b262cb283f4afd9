import type { HttpService, HttpStreamRequest } from "@runnel/nodes";

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const);
type Method = NonNullable<HttpStreamRequest["method"]>;

function isMethod(value: string): value is Method {
  return (METHODS as Set<string>).has(value);
}

/**
 * A streaming `fetch` for the MCP SDK's transports that sends every request through the SSRF-safe HTTP service:
 * the server URL and every redirect the SDK follows are checked like any outbound call (RUNNEL_HTTP_ALLOW).
 */
export function mcpFetch(
  http: HttpService,
  limits: { headersTimeoutMs: number; maxStreamBytes: number },
): typeof fetch {
  return async (input, init) => {
    const request = input instanceof Request ? input : undefined;
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const method = (init?.method ?? request?.method ?? "GET").toUpperCase();
    if (!isMethod(method)) throw new TypeError(`Unsupported HTTP method ${method} for ${url}`);
    const headers: Record<string, string> = {};
    new Headers(init?.headers ?? request?.headers).forEach((value, name) => {
      headers[name] = value;
    });
    const rawBody = init?.body ?? (request ? await request.text() : undefined);
    let body: string | Uint8Array | undefined;
    if (typeof rawBody === "string") body = rawBody;
    else if (rawBody instanceof Uint8Array) body = rawBody;
    else if (rawBody !== undefined && rawBody !== null)
      body = new Uint8Array(await new Response(rawBody).arrayBuffer());
    const signal = init?.signal ?? request?.signal ?? undefined;
    return http.stream({
      url,
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      ...(signal ? { signal } : {}),
      timeoutMs: limits.headersTimeoutMs,
      maxResponseBytes: limits.maxStreamBytes,
    });
  };
}
