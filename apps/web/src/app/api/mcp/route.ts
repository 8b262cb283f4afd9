import { createMcpHandler } from "@runnel/api";

import { restDeps } from "~/app/api/v1/rest-deps";
import { withRequestContext } from "~/server/request-context";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** The org's MCP endpoint (Streamable HTTP, stateless): protocol handling lives in @runnel/api (docs/mcp.md). */
function handler(request: Request): Promise<Response> {
  return withRequestContext(request, async () =>
    createMcpHandler(await restDeps(request))(request),
  );
}

export { handler as GET, handler as POST, handler as DELETE };
