import type { NextRequest } from "next/server";

import { getEngine } from "~/server/engine";

export const dynamic = "force-dynamic";

type Method = "GET" | "POST" | "PUT";

/**
 * Inngest's serve endpoint. With INNGEST_* set, Inngest (Cloud, self-hosted, or a standalone executor) syncs the
 * functions here (PUT), inspects them (GET) and calls them (POST; requests are signed unless in dev mode).
 * In the embedded default the built-in executor calls the functions in-process, so this endpoint answers 404:
 * an unsigned dev-mode endpoint would let anyone post made-up step results into runs.
 */
function handle(method: Method) {
  return async (request: NextRequest, context: unknown): Promise<Response> => {
    const engine = await getEngine();
    if (!engine.route) {
      return Response.json(
        {
          error:
            "Inngest is not configured: runs execute on the built-in executor inside this server. " +
            "Set INNGEST_EVENT_KEY and INNGEST_SIGNING_KEY (or INNGEST_BASE_URL / INNGEST_DEV) to serve Inngest here.",
          mode: engine.mode,
        },
        { status: 404 },
      );
    }
    return engine.route[method](request, context);
  };
}

export const GET = handle("GET");
export const POST = handle("POST");
export const PUT = handle("PUT");
