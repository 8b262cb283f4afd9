import type { Logger } from "pino";

import { REQUEST_ID_HEADER } from "./request-id";

/** What a server framework knows about a request whose handler threw (Next.js's `onRequestError` arguments). */
export interface FailedRequest {
  path: string;
  method: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/**
 * One error line for a request whose handler threw past every handler-level catch: its id (the proxy set
 * `x-request-id` on every request), method, path and route, and the error — redacted like every line.
 */
export function logRequestError(
  logger: Logger,
  error: unknown,
  request: FailedRequest,
  route: { routePath: string; routeType: string },
): void {
  const id = request.headers[REQUEST_ID_HEADER];
  logger.error(
    {
      ...(typeof id === "string" ? { requestId: id } : {}),
      method: request.method,
      path: request.path.split("?")[0],
      route: route.routePath,
      routeType: route.routeType,
      err: error,
    },
    `${request.method} ${route.routePath} failed: ${error instanceof Error ? error.message : String(error)}`,
  );
}
