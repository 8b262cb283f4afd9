import { describe, expect, it } from "vitest";

import type { RunEvent, RunEventBus } from "@runnel/engine";

import { observedBus } from "./observed-bus";

const event: RunEvent = {
  runId: "run_1",
  orgId: "org_1",
  seq: 1,
  type: "run.running",
  nodeId: null,
  payload: { previous: "queued" },
  createdAt: new Date(),
};

describe("observedBus", () => {
  it("hands each published batch to the observer after the bus delivered it, and passes the rest through", async () => {
    const calls: string[] = [];
    let closed = false;
    const inner: RunEventBus = {
      publish: (events) => {
        calls.push(`bus:${events.length}`);
        return Promise.resolve();
      },
      subscribe: () => (async function* () {})(),
      activeSubscriptions: 3,
      close: () => {
        closed = true;
        return Promise.resolve();
      },
    };
    const bus = observedBus(inner, (events) => calls.push(`observer:${events[0]?.runId}`));
    await bus.publish([event]);
    expect(calls).toEqual(["bus:1", "observer:run_1"]);
    expect(bus.activeSubscriptions).toBe(3);
    await bus.close();
    expect(closed).toBe(true);
  });

  it("does not observe a batch the bus failed to publish", async () => {
    const seen: unknown[] = [];
    const inner = {
      publish: () => Promise.reject(new Error("notify failed")),
      subscribe: () => (async function* () {})(),
      activeSubscriptions: 0,
      close: () => Promise.resolve(),
    } satisfies RunEventBus;
    await expect(
      observedBus(inner, (events) => seen.push(events)).publish([event]),
    ).rejects.toThrow("notify failed");
    expect(seen).toEqual([]);
  });
});
