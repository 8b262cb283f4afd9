import { fetchRequestHandler } from "@trpc/server/adapters/fetch";

import { appRouter, createTRPCContext, rateLimitResponseMeta } from "@runnel/api";

import { env } from "~/env";
import { getEngine } from "~/server/engine";
import {
  appUrlFor,
  getDb,
  getMailer,
  getRateLimits,
  getSecrets,
  getSessionUser,
} from "~/server/runtime";

export const dynamic = "force-dynamic";

async function handler(request: Request): Promise<Response> {
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
        rateLimits: getRateLimits(),
      }),
    responseMeta: rateLimitResponseMeta,
    onError: ({ path, error }) => {
      if (env.NODE_ENV !== "production" || error.code === "INTERNAL_SERVER_ERROR") {
        console.error(`tRPC ${path ?? "<no path>"} failed: ${error.message}`);
      }
    },
  });
}

export { handler as GET, handler as POST };
