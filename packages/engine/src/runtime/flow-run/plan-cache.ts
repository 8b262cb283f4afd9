import type { Database } from "@runnel/db";
import type { NodeCatalogue } from "@runnel/nodes";
import { and, eq } from "@runnel/db";
import { flowVersions } from "@runnel/db/schema";

import type { CompileResult } from "../../compiler";
import type { Loaded } from "./types";
import { compileFlow } from "../../compiler";

/** Compiled plans and published versions kept per process (oldest dropped first). */
const CACHE_SIZE = 200;

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value ?? "");
  cache.set(key, value);
  return value;
}

/**
 * Every replay of a run needs its plan, so plans are cached: a version is immutable, and the key includes the
 * org's credential ids and types that the compiler checked against.
 */
export function createPlanCache(catalogue: NodeCatalogue) {
  const plans = new Map<string, CompileResult>();
  return (loaded: Loaded): CompileResult => {
    const credentials = loaded.credentials.map((c) => `${c.id}:${c.type}`).join(",");
    const key = `${loaded.flowVersionId}|${credentials}`;
    return (
      plans.get(key) ??
      remember(
        plans,
        key,
        compileFlow(loaded.definition, { catalogue, credentials: loaded.credentials }),
      )
    );
  };
}

/** Published versions are immutable too (the database refuses updates): each one is read once per process. */
export function createVersionCache(db: Database) {
  const versions = new Map<string, { definition: unknown; number: number }>();
  return async (orgId: string, versionId: string) => {
    const key = `${orgId}|${versionId}`;
    const cached = versions.get(key);
    if (cached) return cached;
    const [version] = await db
      .select({ definition: flowVersions.definition, number: flowVersions.number })
      .from(flowVersions)
      .where(and(eq(flowVersions.id, versionId), eq(flowVersions.orgId, orgId)));
    return version ? remember(versions, key, version) : undefined;
  };
}
