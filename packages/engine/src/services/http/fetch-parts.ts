import type { HttpRequest } from "@runnel/nodes";

type Method = NonNullable<HttpRequest["method"]>;
const METHODS = new Set<string>(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

function isMethod(value: string): value is Method {
  return METHODS.has(value);
}

/** What a `fetch(input, init)` call asks for, in the shape the SSRF-safe HTTP service takes. */
export interface FetchParts {
  url: string;
  method: Method;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
}

/**
 * Reads a `fetch` call made by a library (the AI SDK, the MCP SDK's transports) so it can be sent through the HTTP
 * service instead of the global fetch. `unsupported` makes the error for a method the service does not send.
 */
export async function fetchParts(
  input: string | URL | Request,
  init: RequestInit | undefined,
  unsupported: (message: string) => Error,
): Promise<FetchParts> {
  const request = input instanceof Request ? input : undefined;
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  const method = (init?.method ?? request?.method ?? "GET").toUpperCase();
  if (!isMethod(method)) throw unsupported(`Unsupported HTTP method ${method} for ${url}`);
  const headers: Record<string, string> = {};
  new Headers(init?.headers ?? request?.headers).forEach((value, name) => {
    headers[name] = value;
  });
  const rawBody = init?.body ?? (request ? await request.text() : undefined);
  let body: string | Uint8Array | undefined;
  if (typeof rawBody === "string" || rawBody instanceof Uint8Array) body = rawBody;
  else if (rawBody !== undefined && rawBody !== null)
    body = new Uint8Array(await new Response(rawBody).arrayBuffer());
  const signal = init?.signal ?? request?.signal ?? undefined;
  return {
    url,
    method,
    headers,
    ...(body === undefined ? {} : { body }),
    ...(signal ? { signal } : {}),
  };
}
