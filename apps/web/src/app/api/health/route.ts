import { withRequestContext } from "~/server/request-context";

export const dynamic = "force-dynamic";

const startedAt = Date.now();

/** Liveness: the process serves requests. No I/O, so a slow database never gets a live server restarted. */
export function GET(request: Request): Promise<Response> {
  return withRequestContext(request, () =>
    Promise.resolve(
      Response.json(
        { status: "ok", uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) },
        { headers: { "cache-control": "no-store" } },
      ),
    ),
  );
}
