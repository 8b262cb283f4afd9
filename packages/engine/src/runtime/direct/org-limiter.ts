/** At most `limit` pieces of work of one org at a time; the rest wait in order (docs/runtime.md, Concurrency). */
export function createOrgLimiter(limit: number) {
  const orgs = new Map<string, { running: number; waiting: (() => void)[] }>();
  return async function run<T>(orgId: string, work: () => Promise<T>): Promise<T> {
    let org = orgs.get(orgId);
    if (!org) orgs.set(orgId, (org = { running: 0, waiting: [] }));
    const slot = org;
    if (slot.running >= limit) await new Promise<void>((resolve) => slot.waiting.push(resolve));
    else slot.running++;
    try {
      return await work();
    } finally {
      const next = slot.waiting.shift();
      if (next) next();
      else if (--slot.running === 0) orgs.delete(orgId);
    }
  };
}
