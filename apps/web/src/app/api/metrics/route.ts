import { timingSafeEqual } from "node:crypto";

import { getMetrics, getObservabilityEnv } from "~/server/observability";
import { withRequestContext } from "~/server/request-context";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

function bearerMatches(header: string | null, token: string): boolean {
  const given = /^Bearer\s+(\S+)$/i.exec(header ?? "")?.[1];
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Prometheus metrics of this process (docs/operations.md#metrics), for a scraper holding RUNNEL_METRICS_TOKEN as a
 * bearer token. Unset token: 404, as if the endpoint did not exist.
 */
export function GET(request: Request): Promise<Response> {
  return withRequestContext(request, async () => {
    const token = getObservabilityEnv().RUNNEL_METRICS_TOKEN;
    const metrics = getMetrics();
    if (!token || !metrics) return new Response("Not Found", { status: 404 });
    if (!bearerMatches(request.headers.get("authorization"), token)) {
      return new Response("A bearer token (RUNNEL_METRICS_TOKEN) is required", {
        status: 401,
        headers: { "www-authenticate": 'Bearer realm="metrics"' },
      });
    }
    return new Response(await metrics.render(), {
      headers: { "content-type": metrics.contentType, "cache-control": "no-store" },
    });
  });
}
