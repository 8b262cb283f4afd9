import type { LookupAddress, LookupOptions } from "node:dns";
import type { LookupFunction } from "node:net";
import type { Dispatcher } from "undici";
import { lookup as dnsLookup } from "node:dns";
import { isIP } from "node:net";
import { Agent, buildConnector } from "undici";

import type { HttpRequest, HttpResponse, HttpService, HttpStreamRequest } from "@runnel/nodes";

import type { AllowList } from "./address-policy";
import {
  assertAddressAllowed,
  blockedReason,
  EMPTY_ALLOW_LIST,
  isAddressAllowListed,
  isHostAllowListed,
  isHostnameBlocked,
  parseAllowList,
  SsrfBlockedError,
  unbracket,
} from "./address-policy";

export interface SafeHttpOptions {
  /** Allow-list of private targets: CIDRs, addresses or exact host names (or an already parsed list). */
  allow?: AllowList | readonly string[];
  /** DNS lookup used at connect time (tests inject one; defaults to the system resolver). */
  lookup?: LookupFunction;
  /** Timeout when a request names none, ms (default 30 000). */
  defaultTimeoutMs?: number;
  /** Largest timeout a request may ask for, ms (default 300 000). */
  maxTimeoutMs?: number;
  /** Response size cap when a request names none, bytes (default 10 MiB). */
  defaultMaxResponseBytes?: number;
  /** Largest response size cap a request may ask for, bytes (default 100 MiB). */
  maxResponseBytesLimit?: number;
  /** Redirect hops followed at most (default 5). */
  maxRedirects?: number;
  /** TCP connect timeout, ms (default 10 000). */
  connectTimeoutMs?: number;
  userAgent?: string;
}

export class HttpTimeoutError extends Error {
  override readonly name = "HttpTimeoutError";
  readonly code = "HTTP_TIMEOUT";
  constructor(
    readonly url: string,
    readonly timeoutMs: number,
  ) {
    super(`HTTP request to ${url} timed out after ${timeoutMs} ms`);
  }
}

export class HttpResponseTooLargeError extends Error {
  override readonly name = "HttpResponseTooLargeError";
  readonly code = "HTTP_RESPONSE_TOO_LARGE";
  constructor(
    readonly url: string,
    readonly maxBytes: number,
  ) {
    super(`Response from ${url} is larger than the limit of ${maxBytes} bytes`);
  }
}

export class HttpRequestError extends Error {
  override readonly name = "HttpRequestError";
  readonly code = "HTTP_REQUEST_INVALID";
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Headers dropped when a redirect leaves the original origin. */
const ORIGIN_BOUND_HEADERS = ["authorization", "cookie", "proxy-authorization"];

/**
 * A DNS lookup that checks every answer at connect time (the address the socket then connects
 * to), so there is no gap between the check and the connection.
 */
function guardedLookup(base: LookupFunction, allow: AllowList): LookupFunction {
  return (hostname: string, options: LookupOptions, callback) => {
    base(hostname, options, (error, address, family) => {
      if (error) {
        callback(error, address, family);
        return;
      }
      if (!isHostAllowListed(hostname, allow)) {
        const answers = Array.isArray(address)
          ? address.map((entry: LookupAddress) => entry.address)
          : [address];
        for (const answer of answers) {
          try {
            assertAddressAllowed(`${hostname} (resolved)`, answer, allow);
          } catch (blocked) {
            callback(blocked as NodeJS.ErrnoException, address, family);
            return;
          }
        }
      }
      callback(null, address, family);
    });
  };
}

/**
 * An undici dispatcher whose every connection is checked: IP-literal hosts before connecting,
 * host names through the guarded lookup, and the socket's remote address once connected.
 */
export function createSafeDispatcher(options: SafeHttpOptions = {}): Agent {
  const allow = resolveAllowList(options.allow);
  const baseConnect = buildConnector({
    lookup: guardedLookup(options.lookup ?? dnsLookup, allow),
    timeout: options.connectTimeoutMs ?? 10_000,
  });
  return new Agent({
    connect: (connectOptions, callback) => {
      const host = unbracket(connectOptions.hostname);
      const hostAllowed = isHostAllowListed(host, allow);
      try {
        if (isHostnameBlocked(host) && !hostAllowed) {
          throw new SsrfBlockedError(host, host, "a cloud metadata host name");
        }
        if (isIP(host) !== 0) assertAddressAllowed(host, host, allow);
      } catch (blocked) {
        callback(blocked as Error, null);
        return;
      }
      baseConnect(connectOptions, (...args) => {
        const [error, socket] = args;
        if (error !== null) {
          callback(error, null);
          return;
        }
        const remote = socket.remoteAddress;
        const reason =
          remote === undefined
            ? "unknown (the socket closed)"
            : connectedBlockedReason(remote, allow);
        if (!hostAllowed && reason !== null) {
          socket.destroy();
          callback(new SsrfBlockedError(host, remote ?? "(none)", reason), null);
          return;
        }
        callback(null, socket);
      });
    },
  });
}

/** Why the connected address is refused, or null when it may be used. */
function connectedBlockedReason(address: string, allow: AllowList): string | null {
  return isAddressAllowListed(address, allow) ? null : blockedReason(address);
}

function resolveAllowList(allow: SafeHttpOptions["allow"]): AllowList {
  if (allow === undefined) return EMPTY_ALLOW_LIST;
  if (isParsedAllowList(allow)) return allow;
  return parseAllowList(allow);
}

function isParsedAllowList(allow: AllowList | readonly string[]): allow is AllowList {
  return !Array.isArray(allow);
}

/** Checks the URL itself before any connection: scheme, credentials, blocked names and IP literals. */
function checkUrl(raw: string, allow: AllowList): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new HttpRequestError(`"${raw}" is not a valid absolute URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new HttpRequestError(
      `URL ${url.href} uses ${url.protocol}; only http: and https: are allowed`,
    );
  }
  if (url.username !== "" || url.password !== "") {
    throw new HttpRequestError(
      `URL ${url.origin} carries credentials; use an HTTP credential instead`,
    );
  }
  const host = unbracket(url.hostname);
  if (isHostAllowListed(host, allow)) return url;
  if (isHostnameBlocked(host))
    throw new SsrfBlockedError(url.href, host, "a cloud metadata host name");
  if (isIP(host) !== 0) assertAddressAllowed(url.href, host, allow);
  return url;
}

function flattenHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

function lowerCaseHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value;
  return out;
}

async function readCapped(
  body: Dispatcher.ResponseData["body"],
  url: string,
  maxBytes: number,
): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    total += buffer.byteLength;
    if (total > maxBytes) {
      body.destroy();
      throw new HttpResponseTooLargeError(url, maxBytes);
    }
    chunks.push(buffer);
  }
  return new Uint8Array(Buffer.concat(chunks, total));
}

function toResponse(
  status: number,
  headers: Record<string, string>,
  url: string,
  body: Uint8Array,
): HttpResponse {
  return {
    status,
    headers,
    url,
    body,
    text: () => new TextDecoder().decode(body),
    json: () => {
      const text = new TextDecoder().decode(body);
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        throw new HttpRequestError(
          `Response from ${url} (status ${status}) is not valid JSON: ${(error as Error).message}`,
        );
      }
    },
  };
}

export interface SafeHttpService extends HttpService {
  /** Closes pooled connections. */
  close(): Promise<void>;
}

/** The one SSRF-safe fetch every outbound call goes through. */
export function createHttpService(options: SafeHttpOptions = {}): SafeHttpService {
  const allow = resolveAllowList(options.allow);
  const dispatcher = createSafeDispatcher({ ...options, allow });
  const maxRedirects = options.maxRedirects ?? 5;
  const maxTimeoutMs = options.maxTimeoutMs ?? 300_000;
  const maxBytesLimit = options.maxResponseBytesLimit ?? 100 * 1024 * 1024;

  /** The request's time and size limits: its own or the defaults, never above the operator's caps. */
  function limitsOf(request: { timeoutMs?: number; maxResponseBytes?: number }) {
    return {
      timeoutMs: Math.min(request.timeoutMs ?? options.defaultTimeoutMs ?? 30_000, maxTimeoutMs),
      maxBytes: Math.min(
        request.maxResponseBytes ?? options.defaultMaxResponseBytes ?? 10 * 1024 * 1024,
        maxBytesLimit,
      ),
    };
  }

  async function fetch(request: HttpRequest): Promise<HttpResponse> {
    const { timeoutMs, maxBytes } = limitsOf(request);
    const follow = request.followRedirects ?? true;
    let url = checkUrl(request.url, allow);
    let method: Dispatcher.HttpMethod = request.method ?? "GET";
    let body = request.body;
    const headers = lowerCaseHeaders(request.headers);
    if (options.userAgent !== undefined && headers["user-agent"] === undefined)
      headers["user-agent"] = options.userAgent;
    if (body !== undefined && (method === "GET" || method === "HEAD")) {
      throw new HttpRequestError(`A ${method} request to ${url.href} cannot carry a body`);
    }

    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new HttpTimeoutError(url.href, timeoutMs)),
      timeoutMs,
    );
    try {
      for (let hop = 0; ; hop++) {
        const response = await dispatcher.request({
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method,
          headers,
          body: body ?? null,
          signal: controller.signal,
        });
        const responseHeaders = flattenHeaders(response.headers);
        const location = responseHeaders.location;
        if (follow && REDIRECT_STATUSES.has(response.statusCode) && location !== undefined) {
          await response.body.dump();
          if (hop >= maxRedirects) {
            throw new HttpRequestError(
              `Too many redirects (more than ${maxRedirects}) from ${request.url}`,
            );
          }
          const next = checkUrl(new URL(location, url).href, allow);
          if (
            response.statusCode === 303 ||
            ((response.statusCode === 301 || response.statusCode === 302) && method === "POST")
          ) {
            if (method !== "HEAD") method = "GET";
            body = undefined;
            delete headers["content-type"];
            delete headers["content-length"];
          }
          if (next.origin !== url.origin)
            for (const name of ORIGIN_BOUND_HEADERS) delete headers[name];
          url = next;
          continue;
        }
        const declared = Number(responseHeaders["content-length"]);
        if (Number.isFinite(declared) && declared > maxBytes) {
          response.body.destroy();
          throw new HttpResponseTooLargeError(url.href, maxBytes);
        }
        const bytes = await readCapped(response.body, url.href, maxBytes);
        return toResponse(response.statusCode, responseHeaders, url.href, bytes);
      }
    } catch (error) {
      if (controller.signal.aborted && controller.signal.reason instanceof HttpTimeoutError) {
        throw controller.signal.reason;
      }
      throw unwrapConnectError(error);
    } finally {
      clearTimeout(timer);
    }
  }

  async function stream(request: HttpStreamRequest): Promise<Response> {
    const { timeoutMs, maxBytes } = limitsOf(request);
    const url = checkUrl(request.url, allow);
    const method: Dispatcher.HttpMethod = request.method ?? "GET";
    const headers = lowerCaseHeaders(request.headers);
    if (options.userAgent !== undefined && headers["user-agent"] === undefined)
      headers["user-agent"] = options.userAgent;
    if (request.body !== undefined && (method === "GET" || method === "HEAD")) {
      throw new HttpRequestError(`A ${method} request to ${url.href} cannot carry a body`);
    }
    const controller = new AbortController();
    const abortFromCaller = () => controller.abort(request.signal?.reason);
    if (request.signal?.aborted === true) abortFromCaller();
    request.signal?.addEventListener("abort", abortFromCaller, { once: true });
    const timer = setTimeout(
      () => controller.abort(new HttpTimeoutError(url.href, timeoutMs)),
      timeoutMs,
    );
    let response: Dispatcher.ResponseData;
    try {
      response = await dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method,
        headers,
        body: request.body ?? null,
        signal: controller.signal,
      });
    } catch (error) {
      request.signal?.removeEventListener("abort", abortFromCaller);
      if (controller.signal.aborted && controller.signal.reason instanceof HttpTimeoutError) {
        throw controller.signal.reason;
      }
      throw unwrapConnectError(error);
    } finally {
      clearTimeout(timer);
    }
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(flattenHeaders(response.headers)))
      responseHeaders.set(name, value);
    const nullBody =
      response.statusCode === 204 || response.statusCode === 304 || method === "HEAD";
    if (nullBody) {
      request.signal?.removeEventListener("abort", abortFromCaller);
      await response.body.dump();
      return new Response(null, { status: response.statusCode, headers: responseHeaders });
    }
    response.body.once("close", () =>
      request.signal?.removeEventListener("abort", abortFromCaller),
    );
    return new Response(cappedStream(response.body, url.href, maxBytes), {
      status: response.statusCode,
      headers: responseHeaders,
    });
  }

  return { fetch, stream, close: () => dispatcher.close() };
}

/** The body as a web stream, passed on as it arrives and failing once more than `maxBytes` came. */
function cappedStream(
  body: Dispatcher.ResponseData["body"],
  url: string,
  maxBytes: number,
): ReadableStream<Uint8Array> {
  let total = 0;
  let finished = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const finish = (end: () => void) => {
        if (finished) return;
        finished = true;
        end();
      };
      body.on("data", (chunk: Buffer) => {
        if (finished) return;
        total += chunk.byteLength;
        if (total > maxBytes) {
          finish(() => controller.error(new HttpResponseTooLargeError(url, maxBytes)));
          body.destroy();
          return;
        }
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) body.pause();
      });
      body.once("end", () => finish(() => controller.close()));
      body.once("error", (error) => finish(() => controller.error(error)));
    },
    pull() {
      body.resume();
    },
    cancel() {
      finished = true;
      body.destroy();
    },
  });
}

/** undici may wrap connector errors; surface our own blocking error when it is the cause. */
function unwrapConnectError(error: unknown): unknown {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof SsrfBlockedError) return current;
    current = current.cause;
  }
  return error;
}
