import type { Hook } from "../hooks/load";
import type { DeployedFlow } from "../rest/flows";
import type { LookupChanges } from "./invalidation";
import { createOrgScopedCache } from "./cache";

/** How long to wait before asking for the change feed again after it failed to start. */
const RETRY_FEED_MS = 5000;

/**
 * What the webhook and REST handlers look up on every request, cached in this process and dropped per org when the
 * database says that org's hooks, deployments, flows or published versions changed (docs/rest.md, "Caching and
 * invalidation"). The change feed starts on first use; until it is live, and whenever it is not, every lookup goes
 * to the database.
 */
export function createLookups(startChanges: () => Promise<LookupChanges>) {
  let changes: LookupChanges | undefined;
  let starting: Promise<void> | undefined;
  let failedAt = 0;
  let closed = false;
  const live = () => changes?.live === true;
  const hooks = createOrgScopedCache<Hook>(live);
  const deployments = createOrgScopedCache<DeployedFlow>(live);

  function ensureStarted(): void {
    if (closed || changes || starting || Date.now() - failedAt < RETRY_FEED_MS) return;
    starting = startChanges()
      .then((started) => {
        started.subscribe((orgId) => {
          for (const cache of [hooks, deployments]) {
            if (orgId === null) cache.clear();
            else cache.dropOrg(orgId);
          }
        });
        changes = started;
      })
      .catch(() => {
        failedAt = Date.now();
      })
      .finally(() => {
        starting = undefined;
      });
  }

  return {
    /** Hook id → the hook with its published version's shape. */
    hook(hookId: string, load: () => Promise<Hook | undefined>): Promise<Hook | undefined> {
      ensureStarted();
      return hooks.get(hookId, async () => {
        const hook = await load();
        return hook && { orgId: hook.orgId, value: hook };
      });
    },
    /** (org, deployment slug or flow id) → the deployed flow. */
    deployment(
      orgId: string,
      idOrSlug: string,
      load: () => Promise<DeployedFlow | undefined>,
    ): Promise<DeployedFlow | undefined> {
      ensureStarted();
      return deployments.get(`${orgId}\u0000${idOrSlug}`, async () => {
        const flow = await load();
        return flow && { orgId, value: flow };
      });
    },
    /** Resolves once the change feed has started (or failed to); for tests and warm-up. */
    async ready(): Promise<boolean> {
      ensureStarted();
      await starting;
      return live();
    },
    get size() {
      return hooks.size + deployments.size;
    },
    async close(): Promise<void> {
      closed = true;
      await starting;
      await changes?.close();
      changes = undefined;
      hooks.clear();
      deployments.clear();
    },
  };
}

export type Lookups = ReturnType<typeof createLookups>;
