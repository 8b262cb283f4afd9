/** A value cached for one org: invalidation drops every entry of the org at once. */
export interface OrgScoped<V> {
  orgId: string;
  value: V;
}

/**
 * Lookups cached in this process, per key, grouped by org for invalidation (docs/rest.md, "Caching and
 * invalidation"). `get` serves a cached value only while `enabled()` holds (the invalidation feed is live), loads on
 * a miss, and stores the result only when no invalidation happened while it loaded, so a load racing a change never
 * caches what the change replaced. Misses (`undefined`) are not cached. The least recently used entry goes past
 * `limit`.
 */
export function createOrgScopedCache<V>(enabled: () => boolean, limit = 1000) {
  const entries = new Map<string, OrgScoped<V>>();
  let generation = 0;
  return {
    async get(key: string, load: () => Promise<OrgScoped<V> | undefined>): Promise<V | undefined> {
      const cached = entries.get(key);
      if (cached && enabled()) {
        entries.delete(key);
        entries.set(key, cached);
        return cached.value;
      }
      const started = generation;
      const loaded = await load();
      if (loaded && started === generation && enabled()) {
        entries.set(key, loaded);
        if (entries.size > limit) {
          const oldest = entries.keys().next().value;
          if (oldest !== undefined) entries.delete(oldest);
        }
      }
      return loaded?.value;
    },
    /** Drops the org's entries (a change notice for it arrived). */
    dropOrg(orgId: string): void {
      generation += 1;
      for (const [key, entry] of entries) if (entry.orgId === orgId) entries.delete(key);
    },
    /** Drops everything (notices may have been missed). */
    clear(): void {
      generation += 1;
      entries.clear();
    },
    get size(): number {
      return entries.size;
    },
  };
}

export type OrgScopedCache<V> = ReturnType<typeof createOrgScopedCache<V>>;
