import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { TestDb } from "@runnel/db/testing";
import type { OutgoingEvent } from "@runnel/engine";
import { and, eq } from "@runnel/db";
import { flows, runs, triggers } from "@runnel/db/schema";
import { createTestDb } from "@runnel/db/testing";
import { RUN_REQUESTED_EVENT, tickSchedules } from "@runnel/engine";
import { seedFlowVersion } from "@runnel/engine/testing";

import { startEmbeddedEngine } from "../testing";

const definition = {
  nodes: [
    {
      id: "tick",
      type: "schedule_trigger",
      version: 1,
      name: "Tick",
      config: { cron: "0 9 * * *", timezone: "Europe/Berlin" },
    },
  ],
  edges: [],
};

let handle: TestDb;

beforeAll(async () => {
  handle = await createTestDb();
}, 120_000);

afterAll(async () => {
  await handle.close();
});

async function addSchedule(
  orgId: string,
  flowId: string,
  values: { nextRunAt: Date; cron?: string; timezone?: string; enabled?: boolean },
) {
  const [row] = await handle.db
    .insert(triggers)
    .values({
      orgId,
      flowId,
      nodeId: "tick",
      kind: "schedule",
      cron: values.cron ?? "0 9 * * *",
      timezone: values.timezone ?? "Europe/Berlin",
      nextRunAt: values.nextRunAt,
      enabled: values.enabled ?? true,
    })
    .returning();
  if (!row) throw new Error("inserting the schedule trigger returned no row");
  return row;
}

async function triggerRow(id: string) {
  const [row] = await handle.db.select().from(triggers).where(eq(triggers.id, id));
  if (!row) throw new Error(`trigger ${id} is gone`);
  return row;
}

function runsOf(orgId: string) {
  return handle.db
    .select()
    .from(runs)
    .where(and(eq(runs.orgId, orgId), eq(runs.triggerKind, "schedule")));
}

function recorder() {
  const sent: OutgoingEvent[] = [];
  return {
    sent,
    sendEvent: (event: OutgoingEvent) => {
      sent.push(event);
      return Promise.resolve();
    },
  };
}

/** 09:00:30 in Berlin (summer time, UTC+2). */
const now = new Date("2026-07-01T07:00:30Z");
const slot = new Date("2026-07-01T07:00:00Z");

describe("tickSchedules", () => {
  it("starts one run for a due slot and moves next_run_at to the next 09:00 in Europe/Berlin", async () => {
    const seeded = await seedFlowVersion(handle.db, definition);
    const trigger = await addSchedule(seeded.orgId, seeded.flowId, { nextRunAt: slot });
    const { sent, sendEvent } = recorder();

    const { outcomes } = await tickSchedules({ db: handle.db, sendEvent, now });

    const mine = outcomes.filter((o) => o.triggerId === trigger.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ status: "started", created: true, slot: slot.toISOString() });
    const started = await runsOf(seeded.orgId);
    expect(started).toHaveLength(1);
    const run = started[0];
    expect(run?.flowVersionId).toBe(seeded.flowVersionId);
    expect(run?.input).toEqual({ scheduledAt: slot.toISOString() });
    expect(run?.triggerInfo).toEqual({
      triggerId: trigger.id,
      slot: slot.toISOString(),
      nodeId: "tick",
    });
    expect(run?.idempotencyKey).toBe(`schedule:${trigger.id}:${slot.toISOString()}`);
    expect(sent.filter((e) => e.data.runId === run?.id).map((e) => e.name)).toEqual([
      RUN_REQUESTED_EVENT,
    ]);
    const after = await triggerRow(trigger.id);
    expect(after.nextRunAt?.toISOString()).toBe("2026-07-02T07:00:00.000Z");
    expect(after.lastRunAt?.toISOString()).toBe(slot.toISOString());
  });

  it("starts one run when the same slot is ticked twice (a replayed tick)", async () => {
    const seeded = await seedFlowVersion(handle.db, definition);
    const trigger = await addSchedule(seeded.orgId, seeded.flowId, { nextRunAt: slot });
    const { sendEvent } = recorder();

    await tickSchedules({ db: handle.db, sendEvent, now });
    // The replay sees the row as it was before the first tick advanced it.
    await handle.db.update(triggers).set({ nextRunAt: slot }).where(eq(triggers.id, trigger.id));
    const { outcomes } = await tickSchedules({ db: handle.db, sendEvent, now });

    expect(outcomes.find((o) => o.triggerId === trigger.id)).toMatchObject({
      status: "started",
      created: false,
    });
    expect(await runsOf(seeded.orgId)).toHaveLength(1);
  });

  it("collapses missed slots into one catch-up run", async () => {
    const seeded = await seedFlowVersion(handle.db, definition);
    const trigger = await addSchedule(seeded.orgId, seeded.flowId, {
      nextRunAt: new Date("2026-06-28T07:00:00Z"),
    });
    const { sendEvent } = recorder();

    await tickSchedules({ db: handle.db, sendEvent, now });

    expect(await runsOf(seeded.orgId)).toHaveLength(1);
    expect((await triggerRow(trigger.id)).nextRunAt?.toISOString()).toBe(
      "2026-07-02T07:00:00.000Z",
    );
  });

  it("starts nothing for a trigger that is not yet due or is disabled", async () => {
    const seeded = await seedFlowVersion(handle.db, definition);
    const later = await addSchedule(seeded.orgId, seeded.flowId, {
      nextRunAt: new Date("2026-07-01T07:01:00Z"),
    });
    const disabled = await addSchedule(seeded.orgId, seeded.flowId, {
      nextRunAt: slot,
      enabled: false,
    });
    const { sendEvent } = recorder();

    const { outcomes } = await tickSchedules({ db: handle.db, sendEvent, now });

    expect(outcomes.map((o) => o.triggerId)).not.toContain(later.id);
    expect(outcomes.map((o) => o.triggerId)).not.toContain(disabled.id);
    expect(await runsOf(seeded.orgId)).toHaveLength(0);
    expect((await triggerRow(later.id)).nextRunAt?.toISOString()).toBe("2026-07-01T07:01:00.000Z");
    expect((await triggerRow(disabled.id)).nextRunAt?.toISOString()).toBe(slot.toISOString());
  });

  it("skips a flow without a published version and still starts the others", async () => {
    const seeded = await seedFlowVersion(handle.db, definition);
    const [bare] = await handle.db
      .insert(flows)
      .values({
        orgId: seeded.orgId,
        name: "Unpublished",
        slug: `unpublished-${randomUUID().slice(0, 8)}`,
        draft: definition,
      })
      .returning({ id: flows.id });
    if (!bare) throw new Error("inserting the flow returned no row");
    const unpublished = await addSchedule(seeded.orgId, bare.id, {
      nextRunAt: new Date("2026-07-01T06:59:00Z"),
    });
    const published = await addSchedule(seeded.orgId, seeded.flowId, { nextRunAt: slot });
    const { sendEvent } = recorder();
    const logged: string[] = [];

    const { outcomes } = await tickSchedules({
      db: handle.db,
      sendEvent,
      now,
      log: (level, message) => logged.push(`${level}: ${message}`),
    });

    expect(outcomes.find((o) => o.triggerId === unpublished.id)).toMatchObject({
      status: "skipped",
      reason: `flow ${bare.id} has no published version: publish one before running it`,
    });
    expect(outcomes.find((o) => o.triggerId === published.id)).toMatchObject({
      status: "started",
      created: true,
    });
    expect(logged).toContain("warn: schedule trigger skipped: the flow has no published version");
    const started = await runsOf(seeded.orgId);
    expect(started.map((r) => r.flowVersionId)).toEqual([seeded.flowVersionId]);
    const skippedRow = await triggerRow(unpublished.id);
    expect(skippedRow.nextRunAt?.toISOString()).toBe("2026-07-02T07:00:00.000Z");
    expect(skippedRow.lastRunAt).toBeNull();
  });
});

describe("the scheduler function in the embedded engine", () => {
  it("is registered with the executor and its tick runs a due flow to success", async () => {
    const engineDb = await createTestDb();
    const engine = await startEmbeddedEngine({ handle: engineDb, schedulerCron: "* * * * * *" });
    try {
      const seeded = await seedFlowVersion(engineDb.db, definition);
      const due = new Date(Date.now() - 60_000);
      const [trigger] = await engineDb.db
        .insert(triggers)
        .values({
          orgId: seeded.orgId,
          flowId: seeded.flowId,
          nodeId: "tick",
          kind: "schedule",
          cron: "0 9 * * *",
          timezone: "Europe/Berlin",
          nextRunAt: due,
        })
        .returning({ id: triggers.id });
      if (!trigger) throw new Error("inserting the schedule trigger returned no row");

      const deadline = Date.now() + 60_000;
      let runId: string | undefined;
      while (runId === undefined) {
        const [run] = await engineDb.db
          .select({ id: runs.id })
          .from(runs)
          .where(eq(runs.orgId, seeded.orgId));
        runId = run?.id;
        if (runId === undefined) {
          if (Date.now() > deadline) throw new Error("no scheduled run started within 60 s");
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      const run = await engine.waitForRun(seeded.orgId, runId, undefined, 60_000);
      expect(run.status).toBe("succeeded");
      expect(run.triggerKind).toBe("schedule");
      expect(run.output).toEqual({
        scheduledAt: due.toISOString(),
        cron: "0 9 * * *",
        timezone: "Europe/Berlin",
      });
      const [row] = await engineDb.db
        .select({ nextRunAt: triggers.nextRunAt })
        .from(triggers)
        .where(eq(triggers.id, trigger.id));
      expect(row?.nextRunAt?.getTime()).toBeGreaterThan(Date.now());
    } finally {
      await engine.close();
      await engineDb.close();
    }
  }, 120_000);
});
