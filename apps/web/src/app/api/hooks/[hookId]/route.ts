import { createHookHandler } from "@runnel/api";

import { restDeps } from "~/app/api/v1/rest-deps";
import { withRequestContext } from "~/server/request-context";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Webhook ingress: the hook's own methods decide what is accepted (405 otherwise). */
function handler(request: Request): Promise<Response> {
  return withRequestContext(request, async () =>
    createHookHandler(await restDeps(request))(request),
  );
}

export { handler as GET, handler as POST, handler as PUT, handler as PATCH, handler as DELETE };
