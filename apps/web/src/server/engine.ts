import "server-only";

import type { Runtime } from "@runnel/runtime";
import { runtimeOptionsFromEnv, startRuntime } from "@runnel/runtime";

import { runEventObserver, runtimeLog } from "./observability";
import { getDbEnv, getDbHandle, getSecrets } from "./runtime";

/**
 * The process's runtime (@runnel/runtime: mode from the environment, event bus, node services, how runs start and
 * how runFlow is served), started on the first call: instrumentation.ts calls it when the server starts
 * (`next build` never does). A failed start is not kept, so the next call tries again.
 */
const globals = globalThis as typeof globalThis & { __runnelEngine?: Promise<Runtime> };

async function buildRuntime(): Promise<Runtime> {
  const fromEnv = runtimeOptionsFromEnv();
  const [handle, secrets] = await Promise.all([getDbHandle(), getSecrets()]);
  const { DATABASE_URL } = getDbEnv();
  return startRuntime({
    ...fromEnv,
    handle,
    masterKey: secrets.encryptionKey,
    log: runtimeLog(),
    observeRunEvents: runEventObserver(),
    ...(DATABASE_URL ? { databaseUrl: DATABASE_URL } : {}),
  });
}

export function getEngine(): Promise<Runtime> {
  const existing = globals.__runnelEngine;
  if (existing) return existing;
  const created = buildRuntime().catch((error: unknown) => {
    globals.__runnelEngine = undefined;
    throw error;
  });
  globals.__runnelEngine = created;
  return created;
}
