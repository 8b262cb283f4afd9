import { describe, expect, it } from "vitest";

import { FairQueue } from "./fair-queue";

const roomy = { maxQueued: 100, maxQueuedPerOrg: 100, maxConcurrentPerOrg: 100 };

function takeAll<T>(queue: FairQueue<T>): T[] {
  const out: T[] = [];
  for (let next = queue.take(); next; next = queue.take()) out.push(next.item);
  return out;
}

describe("FairQueue", () => {
  it("keeps each org's items in order and alternates between orgs", () => {
    const queue = new FairQueue<string>(roomy);
    for (const item of ["a1", "a2", "a3", "a4"]) queue.enqueue("a", item);
    for (const item of ["b1", "b2"]) queue.enqueue("b", item);
    queue.enqueue("c", "c1");
    expect(takeAll(queue)).toEqual(["a1", "b1", "c1", "a2", "b2", "a3", "a4"]);
    expect(queue.size).toBe(0);
  });

  it("serves an org that arrives later before the org that was just served", () => {
    const queue = new FairQueue<string>(roomy);
    for (const item of ["a1", "a2", "a3"]) queue.enqueue("a", item);
    expect(queue.take()?.item).toBe("a1");
    queue.enqueue("b", "b1");
    expect(takeAll(queue)).toEqual(["b1", "a2", "a3"]);
  });

  it("skips an org at its concurrency cap until one of its items finishes", () => {
    const queue = new FairQueue<string>({ ...roomy, maxConcurrentPerOrg: 2 });
    for (const item of ["a1", "a2", "a3"]) queue.enqueue("a", item);
    queue.enqueue("b", "b1");
    expect(takeAll(queue)).toEqual(["a1", "b1", "a2"]);
    expect(queue.runningByOrg()).toEqual({ a: 2, b: 1 });
    expect(queue.queuedByOrg()).toEqual({ a: 1 });
    queue.finish("a");
    expect(queue.take()?.item).toBe("a3");
  });

  it("refuses items past the total and the per-org bound", () => {
    const queue = new FairQueue<string>({
      maxQueued: 3,
      maxQueuedPerOrg: 2,
      maxConcurrentPerOrg: 1,
    });
    expect(queue.enqueue("a", "a1")).toBe("queued");
    expect(queue.enqueue("a", "a2")).toBe("queued");
    expect(queue.enqueue("a", "a3")).toBe("org-queue-full");
    expect(queue.enqueue("b", "b1")).toBe("queued");
    expect(queue.enqueue("c", "c1")).toBe("queue-full");
    expect(queue.drain()).toEqual(["a1", "a2", "b1"]);
    expect(queue.size).toBe(0);
  });
});
