import { createHookHandler } from "@runnel/api";

import { restDeps } from "~/app/api/v1/rest-deps";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Webhook ingress: the hook's own methods decide what is accepted (405 otherwise). */
async function handler(request: Request): Promise<Response> {
  return createHookHandler(await restDeps(request))(request);
}

export { handler as GET, handler as POST, handler as PUT, handler as PATCH, handler as DELETE };
