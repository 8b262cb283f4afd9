export type EnqueueResult = "queued" | "queue-full" | "org-queue-full";

export interface FairQueueLimits {
  maxQueued: number;
  maxQueuedPerOrg: number;
  maxConcurrentPerOrg: number;
}

/**
 * Waiting work of many orgs: FIFO within an org, round-robin across orgs (the org served longest ago,
 * or never, goes first), and an org already running `maxConcurrentPerOrg` items is skipped until one
 * finishes, so one org cannot hold every worker. Bounded in total and per org.
 */
export class FairQueue<T> {
  private readonly waiting = new Map<string, T[]>();
  private readonly running = new Map<string, number>();
  /** Orgs with waiting items, in order of arrival. */
  private order: string[] = [];
  /** When each org with waiting or running items was last served (a counter of `take` calls). */
  private readonly servedAt = new Map<string, number>();
  private takes = 0;
  private count = 0;

  constructor(private readonly limits: FairQueueLimits) {}

  enqueue(orgId: string, item: T): EnqueueResult {
    if (this.count >= this.limits.maxQueued) return "queue-full";
    const items = this.waiting.get(orgId) ?? [];
    if (items.length >= this.limits.maxQueuedPerOrg) return "org-queue-full";
    if (items.length === 0) {
      this.waiting.set(orgId, items);
      this.order.push(orgId);
    }
    items.push(item);
    this.count++;
    return "queued";
  }

  /** The next item an org below its concurrency cap may start; counted as running until `finish`. */
  take(): { orgId: string; item: T } | undefined {
    let chosen = -1;
    let chosenServedAt = Infinity;
    this.order.forEach((orgId, index) => {
      if ((this.running.get(orgId) ?? 0) >= this.limits.maxConcurrentPerOrg) return;
      const servedAt = this.servedAt.get(orgId) ?? -1;
      if (servedAt < chosenServedAt) {
        chosen = index;
        chosenServedAt = servedAt;
      }
    });
    const orgId = this.order[chosen];
    const items = orgId === undefined ? undefined : this.waiting.get(orgId);
    const item = items?.shift();
    if (orgId === undefined || items === undefined || item === undefined) return undefined;
    this.count--;
    if (items.length === 0) {
      this.waiting.delete(orgId);
      this.order.splice(chosen, 1);
    }
    this.servedAt.set(orgId, this.takes++);
    this.running.set(orgId, (this.running.get(orgId) ?? 0) + 1);
    return { orgId, item };
  }

  finish(orgId: string): void {
    const now = (this.running.get(orgId) ?? 0) - 1;
    if (now > 0) this.running.set(orgId, now);
    else {
      this.running.delete(orgId);
      if (!this.waiting.has(orgId)) this.servedAt.delete(orgId);
    }
  }

  /** Empties the queue, returning what waited (e.g. to fail it on shutdown). */
  drain(): T[] {
    const items = this.order.flatMap((orgId) => this.waiting.get(orgId) ?? []);
    this.waiting.clear();
    this.order = [];
    this.count = 0;
    return items;
  }

  get size(): number {
    return this.count;
  }

  queuedByOrg(): Record<string, number> {
    return Object.fromEntries([...this.waiting].map(([orgId, items]) => [orgId, items.length]));
  }

  runningByOrg(): Record<string, number> {
    return Object.fromEntries(this.running);
  }
}
