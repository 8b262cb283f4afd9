import { describe, expect, it } from "vitest";

import type { Database } from "@runnel/db";
import { createDb, sql } from "@runnel/db";
import { describeEachDriver } from "@runnel/db/testing";

import type { RunEvent } from "../runs/event-types";
import type { RunEventPublisher } from "../runs/run-store";
import type { RunEventBus } from "./subscription";
import { RunNotFoundError } from "../runs/errors";
import { appendRunEvent } from "../runs/events";
import { seedFlowVersion } from "../runs/fixtures";
import { createRunStore } from "../runs/run-store";
import { createInProcessEventBus } from "./in-process";
import { createPgEventBus } from "./pg";

async function collect(events: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const seen: RunEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

function expectGapless(events: RunEvent[], from: number, to: number) {
  expect(events.map((event) => event.seq)).toEqual(
    Array.from({ length: to - from + 1 }, (_, index) => from + index),
  );
}

/** Appends `count` log events from `workers` concurrent writers, publishing each after its commit. */
async function appendConcurrently(
  db: Database,
  bus: RunEventPublisher,
  orgId: string,
  runId: string,
  workers: number,
  count: number,
) {
  const store = createRunStore({ db, bus });
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let index = 0; index < count; index++) {
        await store.appendRunEvent(orgId, {
          runId,
          type: "log",
          nodeId: `worker_${worker}`,
          payload: { level: "info", message: `${worker}/${index}` },
        });
      }
    }),
  );
}

async function waitUntil(check: () => boolean, what: string) {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Checks every bus transport must pass; `open` gives a publishing bus and a subscribing bus. */
function busContract(
  suiteDb: () => Database,
  open: () => Promise<{ publisher: RunEventBus; subscriber: RunEventBus; close(): Promise<void> }>,
) {
  it("replays stored events, then streams live ones, with no gap and no duplicate under concurrent appends", async () => {
    const db = suiteDb();
    const buses = await open();
    try {
      const store = createRunStore({ db, bus: buses.publisher });
      const { orgId, flowVersionId } = await seedFlowVersion(db);
      const { run } = await store.createRun(orgId, { flowVersionId, triggerKind: "manual" });
      await appendConcurrently(db, buses.publisher, orgId, run.id, 3, 10);

      // Subscribe while more appends race with the replay.
      const received = collect(
        buses.subscriber.subscribe(orgId, run.id, { pollIntervalMs: 60_000 }),
      );
      await appendConcurrently(db, buses.publisher, orgId, run.id, 4, 25);
      await store.markRunStatus(orgId, run.id, "running");
      await store.markRunStatus(orgId, run.id, "succeeded", { output: { done: true } });

      const events = await received;
      const total = 1 + 30 + 100 + 2;
      expectGapless(events, 1, total);
      expect(events[0]?.type).toBe("run.queued");
      expect(events.at(-1)?.type).toBe("run.succeeded");
      expect(buses.subscriber.activeSubscriptions).toBe(0);
    } finally {
      await buses.close();
    }
  });

  it("resumes after the last event id the consumer saw", async () => {
    const db = suiteDb();
    const buses = await open();
    try {
      const store = createRunStore({ db, bus: buses.publisher });
      const { orgId, flowVersionId } = await seedFlowVersion(db);
      const { run } = await store.createRun(orgId, { flowVersionId, triggerKind: "manual" });
      await appendConcurrently(db, buses.publisher, orgId, run.id, 2, 5);
      const resumed = collect(
        buses.subscriber.subscribe(orgId, run.id, { afterSeq: 7, pollIntervalMs: 60_000 }),
      );
      await appendConcurrently(db, buses.publisher, orgId, run.id, 2, 5);
      await store.markRunStatus(orgId, run.id, "cancelled", { reason: "test" });
      const events = await resumed;
      expectGapless(events, 8, 22);
      expect(events.at(-1)).toMatchObject({ type: "run.cancelled", payload: { reason: "test" } });

      // A finished run replays its tail and ends at once.
      expectGapless(
        await collect(buses.subscriber.subscribe(orgId, run.id, { afterSeq: 20 })),
        21,
        22,
      );
    } finally {
      await buses.close();
    }
  });

  it("frees its listener when the consumer stops early or aborts while waiting", async () => {
    const db = suiteDb();
    const buses = await open();
    try {
      const store = createRunStore({ db, bus: buses.publisher });
      const { orgId, flowVersionId } = await seedFlowVersion(db);
      const { run } = await store.createRun(orgId, { flowVersionId, triggerKind: "manual" });

      for await (const event of buses.subscriber.subscribe(orgId, run.id)) {
        expect(event.seq).toBe(1);
        break;
      }
      expect(buses.subscriber.activeSubscriptions).toBe(0);

      const controller = new AbortController();
      const waiting = collect(
        buses.subscriber.subscribe(orgId, run.id, {
          signal: controller.signal,
          pollIntervalMs: 60_000,
        }),
      );
      await waitUntil(() => buses.subscriber.activeSubscriptions === 1, "the subscription listens");
      await store.appendRunEvent(orgId, {
        runId: run.id,
        type: "log",
        payload: { level: "info", message: "one" },
      });
      controller.abort();
      const seen = await waiting;
      expect(seen[0]?.seq).toBe(1);
      expect(buses.subscriber.activeSubscriptions).toBe(0);
    } finally {
      await buses.close();
    }
  });

  it("refuses to stream a run of another org", async () => {
    const db = suiteDb();
    const buses = await open();
    try {
      const a = await seedFlowVersion(db);
      const b = await seedFlowVersion(db);
      const store = createRunStore({ db, bus: buses.publisher });
      const { run } = await store.createRun(a.orgId, {
        flowVersionId: a.flowVersionId,
        triggerKind: "manual",
      });
      await expect(collect(buses.subscriber.subscribe(b.orgId, run.id))).rejects.toBeInstanceOf(
        RunNotFoundError,
      );
      expect(buses.subscriber.activeSubscriptions).toBe(0);
    } finally {
      await buses.close();
    }
  });

  it("catches up by polling when an event was committed but never published", async () => {
    const db = suiteDb();
    const buses = await open();
    try {
      const { orgId, flowVersionId } = await seedFlowVersion(db);
      const store = createRunStore({ db, bus: buses.publisher });
      const { run } = await store.createRun(orgId, { flowVersionId, triggerKind: "manual" });
      const received = collect(buses.subscriber.subscribe(orgId, run.id, { pollIntervalMs: 50 }));
      await waitUntil(() => buses.subscriber.activeSubscriptions === 1, "the subscription listens");
      // Plain store functions commit without publishing.
      await appendRunEvent(db, orgId, {
        runId: run.id,
        type: "log",
        payload: { level: "warn", message: "quiet" },
      });
      await appendRunEvent(db, orgId, {
        runId: run.id,
        type: "run.cancelled",
        payload: { previous: "queued" },
      });
      expectGapless(await received, 1, 3);
    } finally {
      await buses.close();
    }
  });
}

describeEachDriver("in-process run event bus", (suite) => {
  busContract(
    () => suite.db,
    () => {
      const bus = createInProcessEventBus({ db: suite.db });
      return Promise.resolve({ publisher: bus, subscriber: bus, close: () => bus.close() });
    },
  );

  it("delivers everything, gapless, to a consumer that falls 1200 events behind (past the notice buffer)", async () => {
    const bus = createInProcessEventBus({ db: suite.db });
    try {
      const store = createRunStore({ db: suite.db, bus });
      const { orgId, flowVersionId } = await seedFlowVersion(suite.db);
      const { run } = await store.createRun(orgId, { flowVersionId, triggerKind: "manual" });
      const stream = bus.subscribe(orgId, run.id, { pollIntervalMs: 60_000 });
      const first = await stream.next();
      expect(first.value?.seq).toBe(1);
      // 1200 events are published while the consumer reads nothing.
      await appendConcurrently(suite.db, bus, orgId, run.id, 4, 300);
      await store.markRunStatus(orgId, run.id, "cancelled");
      const rest = await collect({ [Symbol.asyncIterator]: () => stream });
      expectGapless(rest, 2, 1202);
    } finally {
      await bus.close();
    }
  });

  it("ends open subscriptions when the bus closes", async () => {
    const bus = createInProcessEventBus({ db: suite.db });
    const store = createRunStore({ db: suite.db, bus });
    const { orgId, flowVersionId } = await seedFlowVersion(suite.db);
    const { run } = await store.createRun(orgId, { flowVersionId, triggerKind: "manual" });
    const received = collect(bus.subscribe(orgId, run.id, { pollIntervalMs: 60_000 }));
    await waitUntil(() => bus.activeSubscriptions === 1, "the subscription listens");
    await bus.close();
    expect((await received).map((event) => event.seq)).toEqual([1]);
    expect(bus.activeSubscriptions).toBe(0);
  });
});

describeEachDriver(
  "Postgres LISTEN/NOTIFY run event bus",
  (suite) => {
    const url = () => {
      const { url: databaseUrl } = suite.handle;
      if (!databaseUrl) throw new Error("the pg suite database has no url");
      return databaseUrl;
    };

    describe("across two connection pools (as two processes would)", () => {
      busContract(
        () => suite.db,
        async () => {
          // The subscriber has its own pool and its own LISTEN connection: nothing is shared in memory.
          const other = await createDb({ url: url(), maxConnections: 3 });
          const publisher = await createPgEventBus({ db: suite.db, url: url() });
          const subscriber = await createPgEventBus({ db: other.db, url: url() });
          return {
            publisher,
            subscriber,
            close: async () => {
              await subscriber.close();
              await publisher.close();
              await other.close();
            },
          };
        },
      );
    });

    describe("one bus publishing and subscribing (one process)", () => {
      busContract(
        () => suite.db,
        async () => {
          const bus = await createPgEventBus({ db: suite.db, url: url() });
          return { publisher: bus, subscriber: bus, close: () => bus.close() };
        },
      );
    });

    it("hands its own subscribers the published events, without reading them back from the table", async () => {
      const bus = await createPgEventBus({
        db: suite.db,
        url: url(),
        channel: "runnel_local_test",
      });
      try {
        const store = createRunStore({ db: suite.db, bus });
        const { orgId, flowVersionId } = await seedFlowVersion(suite.db);
        const { run } = await store.createRun(orgId, { flowVersionId, triggerKind: "manual" });
        const received = collect(bus.subscribe(orgId, run.id, { pollIntervalMs: 60_000 }));
        await waitUntil(() => bus.activeSubscriptions === 1, "the subscription listens");
        // Events that were never stored: a subscriber that went back to the table would not find them.
        const base = { runId: run.id, orgId, nodeId: null, createdAt: new Date() };
        const log: RunEvent<"log"> = {
          ...base,
          seq: 2,
          type: "log",
          payload: { level: "info", message: "only in memory" },
        };
        const done: RunEvent<"run.succeeded"> = {
          ...base,
          seq: 3,
          type: "run.succeeded",
          payload: { previous: "running", output: { value: null, bytes: 4 } },
        };
        await bus.publish([log, done]);
        const events = await received;
        expect(events.map((event) => [event.seq, event.type])).toEqual([
          [1, "run.queued"],
          [2, "log"],
          [3, "run.succeeded"],
        ]);
      } finally {
        await bus.close();
      }
    });

    it("re-reads the table after its LISTEN connection drops, so nothing is lost", async () => {
      const other = await createDb({ url: url(), maxConnections: 3 });
      const errors: Error[] = [];
      const publisher = await createPgEventBus({
        db: suite.db,
        url: url(),
        channel: "runnel_drop_test",
      });
      const subscriber = await createPgEventBus({
        db: other.db,
        url: url(),
        channel: "runnel_drop_test",
        onError: (error) => errors.push(error),
      });
      try {
        const store = createRunStore({ db: suite.db, bus: publisher });
        const { orgId, flowVersionId } = await seedFlowVersion(suite.db);
        const { run } = await store.createRun(orgId, { flowVersionId, triggerKind: "manual" });
        const received = collect(subscriber.subscribe(orgId, run.id, { pollIntervalMs: 60_000 }));
        await waitUntil(() => subscriber.activeSubscriptions === 1, "the subscription listens");

        await suite.db.execute(
          sql`select pg_terminate_backend(pid) from pg_stat_activity
              where datname = current_database() and query = 'LISTEN "runnel_drop_test"'`,
        );
        await store.appendRunEvent(orgId, {
          runId: run.id,
          type: "log",
          payload: { level: "info", message: "x" },
        });
        await store.markRunStatus(orgId, run.id, "failed", { error: { message: "stop" } });
        expectGapless(await received, 1, 3);
        expect(errors.length).toBeGreaterThan(0);
      } finally {
        await subscriber.close();
        await publisher.close();
        await other.close();
      }
    });
  },
  { drivers: ["pg"] },
);
