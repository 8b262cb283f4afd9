import "server-only";

import type { RestDeps } from "@runnel/api";

import { getEngine } from "~/server/engine";
import { getLogger } from "~/server/observability";
import { appUrlFor, getDb, getLookups, getRateLimits, getSecrets } from "~/server/runtime";

/** What the REST v1 and webhook handlers are built from: the process's database, engine and secrets. */
export async function restDeps(request: Request): Promise<RestDeps> {
  const [db, secrets, engine] = await Promise.all([getDb(), getSecrets(), getEngine()]);
  return {
    db,
    engine: engine.engine,
    encryptionKey: secrets.encryptionKey,
    appUrl: appUrlFor(request.url),
    rateLimits: getRateLimits(),
    onError: (error, requestId) =>
      getLogger().error({ err: error, requestId }, `request ${requestId} failed`),
    lookups: getLookups(),
  };
}
