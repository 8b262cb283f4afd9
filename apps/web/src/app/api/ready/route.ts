import { readiness } from "~/server/readiness";
import { withRequestContext } from "~/server/request-context";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * Readiness: 200 when the database answers, migrations are applied and the run executor (built-in or Inngest) is
 * up; 503 naming what is missing otherwise (docs/operations.md#readiness).
 */
export function GET(request: Request): Promise<Response> {
  return withRequestContext(request, async () => {
    const { ready, checks } = await readiness();
    const missing = Object.entries(checks)
      .filter(([, result]) => !result.ok)
      .map(([name, result]) => `${name}: ${result.detail}`);
    return Response.json(
      { status: ready ? "ready" : "not ready", ...(ready ? {} : { missing }), checks },
      { status: ready ? 200 : 503, headers: { "cache-control": "no-store" } },
    );
  });
}
