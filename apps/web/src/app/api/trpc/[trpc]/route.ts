import { fetchRequestHandler } from "@trpc/server/adapters/fetch";

import { appRouter, createTRPCContext, rateLimitResponseMeta } from "@runnel/api";

import { env } from "~/env";
import { getEngine } from "~/server/engine";
import { getLogger } from "~/server/observability";
import { withRequestContext } from "~/server/request-context";
import {
  appUrlFor,
  getDb,
  getMailer,
  getRateLimits,
  getSecrets,
  getSessionUser,
} from "~/server/runtime";

export const dynamic = "force-dynamic";

function handler(request: Request): Promise<Response> {
  return withRequestContext(request, async () => {
    const [db, secrets, session, engine] = await Promise.all([
      getDb(),
      getSecrets(),
      getSessionUser(),
      getEngine(),
    ]);
    return fetchRequestHandler({
      endpoint: "/api/trpc",
      req: request,
      router: appRouter,
      createContext: () =>
        createTRPCContext({
          headers: request.headers,
          db,
          session,
          encryptionKey: secrets.encryptionKey,
          appUrl: appUrlFor(request.url),
          mailer: getMailer(),
          engine: { sendEvent: engine.sendEvent, bus: engine.bus },
          http: engine.services.http,
          rateLimits: getRateLimits(),
        }),
      responseMeta: rateLimitResponseMeta,
      onError: ({ path, error, ctx }) => {
        if (env.NODE_ENV === "production" && error.code !== "INTERNAL_SERVER_ERROR") return;
        const actor = ctx?.actor;
        getLogger().error(
          {
            path: path ?? null,
            code: error.code,
            ...(actor?.kind === "apiKey" ? { orgId: actor.orgId } : {}),
            ...(actor?.kind === "user" ? { userId: actor.userId } : {}),
            err: error.cause ?? error,
          },
          `tRPC ${path ?? "<no path>"} failed: ${error.message}`,
        );
      },
    });
  });
}

export { handler as GET, handler as POST };
