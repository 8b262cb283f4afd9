import { createRestHandler } from "@runnel/api";

import { restDeps } from "~/app/api/v1/rest-deps";
import { withRequestContext } from "~/server/request-context";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** REST v1 (API keys, OpenAPI, SSE): every method goes to the framework-agnostic handler of @runnel/api. */
function handler(request: Request): Promise<Response> {
  return withRequestContext(request, async () =>
    createRestHandler(await restDeps(request))(request),
  );
}

export { handler as GET, handler as POST, handler as PUT, handler as PATCH, handler as DELETE };
