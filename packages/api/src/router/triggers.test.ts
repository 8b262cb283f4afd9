import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { FlowDefinitionInput } from "@runnel/engine";
import { eq } from "@runnel/db";
import { decryptCredential } from "@runnel/db/crypto";
import { auditLog, triggers } from "@runnel/db/schema";

import type { Caller, Harness } from "../../test/harness";
import { APP_URL, createHarness, failure } from "../../test/harness";
import { goodDefinition } from "./flows/test-fixtures";
import { nextRunAt } from "./triggers-sync";

let t: Harness;
beforeAll(async () => {
  t = await createHarness();
});
afterAll(async () => {
  await t.close();
});

function triggered(cron = "0 9 * * MON-FRI", timezone = "Europe/Berlin"): FlowDefinitionInput {
  const step = (id: string, x: number) => ({
    id,
    type: "set",
    version: 1,
    name: id,
    config: {},
    position: { x, y: 0 },
  });
  return {
    nodes: [
      { id: "hook", type: "webhook_trigger", version: 1, name: "Hook", config: {} },
      {
        id: "tick",
        type: "schedule_trigger",
        version: 1,
        name: "Tick",
        config: { cron, timezone },
      },
      step("from_hook", 200),
      step("from_tick", 400),
    ],
    edges: [
      { id: "e1", source: "hook", sourcePort: "out", target: "from_hook", targetPort: "in" },
      { id: "e2", source: "tick", sourcePort: "out", target: "from_tick", targetPort: "in" },
    ],
  };
}

async function publishedFlow(caller: Caller, definition: FlowDefinitionInput) {
  const flow = await caller.flows.create({ name: "Triggered" });
  await caller.flows.saveDraft({ id: flow.id, definition });
  await caller.flows.publish({ id: flow.id });
  return flow;
}

describe("nextRunAt", () => {
  it("reads the cron expression in the time zone and rejects bad input with a field error", () => {
    const from = new Date("2026-01-05T06:00:00Z"); // a Monday
    expect(nextRunAt("0 9 * * MON-FRI", "Europe/Berlin", from).toISOString()).toBe(
      "2026-01-05T08:00:00.000Z",
    );
    expect(nextRunAt("0 9 * * *", "America/New_York", from).toISOString()).toBe(
      "2026-01-05T14:00:00.000Z",
    );
    expect(() => nextRunAt("61 * * * *", "UTC")).toThrow(/not a valid cron expression/);
    expect(() => nextRunAt("0 9 * * *", "Mars/Olympus")).toThrow(/not a known IANA time zone/);
  });
});

describe("triggers", () => {
  it("publishing creates a webhook URL and a schedule per trigger node; list shows them without secrets", async () => {
    const ada = await t.user("Ada");
    const flow = await publishedFlow(ada.caller, triggered());
    const listed = await ada.caller.triggers.list({ flowId: flow.id });
    expect(listed.webhooks).toHaveLength(1);
    const hook = listed.webhooks[0];
    expect(hook).toMatchObject({ nodeId: "hook", hasSecret: false, enabled: true });
    expect(hook?.hookId).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(hook?.url).toBe(`${APP_URL}/api/hooks/${hook?.hookId}`);
    expect(listed.schedules).toEqual([
      expect.objectContaining({
        nodeId: "tick",
        cron: "0 9 * * MON-FRI",
        timezone: "Europe/Berlin",
        enabled: true,
      }),
    ]);
    const next = listed.schedules[0]?.nextRunAt;
    expect(next).toBeInstanceOf(Date);
    expect(next && next.getTime()).toBeGreaterThan(Date.now());

    // Republishing keeps the hook id; a changed cron moves the schedule; a removed node is disabled.
    const changed = triggered("*/5 * * * *", "UTC");
    changed.nodes = changed.nodes.filter((n) => n.id !== "hook" && n.id !== "from_hook");
    changed.edges = changed.edges.filter((e) => e.id !== "e1");
    await ada.caller.flows.saveDraft({ id: flow.id, definition: changed });
    await ada.caller.flows.publish({ id: flow.id });
    const after = await ada.caller.triggers.list({ flowId: flow.id });
    expect(after.webhooks).toEqual([
      expect.objectContaining({ hookId: hook?.hookId, enabled: false }),
    ]);
    expect(after.schedules).toEqual([
      expect.objectContaining({
        nodeId: "tick",
        cron: "*/5 * * * *",
        timezone: "UTC",
        enabled: true,
      }),
    ]);
    await ada.caller.flows.saveDraft({ id: flow.id, definition: triggered() });
    await ada.caller.flows.publish({ id: flow.id });
    expect((await ada.caller.triggers.list({ flowId: flow.id })).webhooks).toEqual([
      expect.objectContaining({ hookId: hook?.hookId, enabled: true }),
    ]);
  });

  it("rotateSecret shows a new secret once, stores it encrypted and bound to the org and trigger", async () => {
    const ada = await t.user("Ada");
    const flow = await publishedFlow(ada.caller, triggered());
    const [hook] = (await ada.caller.triggers.list({ flowId: flow.id })).webhooks;
    if (!hook) throw new Error("no webhook");
    const first = await ada.caller.triggers.rotateSecret({ id: hook.id });
    expect(first.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const second = await ada.caller.triggers.rotateSecret({ id: hook.id });
    expect(second.secret).not.toBe(first.secret);
    const [row] = await t.db.select().from(triggers).where(eq(triggers.id, hook.id));
    expect(row?.secret).not.toContain(second.secret);
    expect(
      decryptCredential({
        masterKey: t.encryptionKey,
        orgId: ada.orgId,
        credentialId: hook.id,
        secret: row?.secret ?? "",
      }),
    ).toEqual({ secret: second.secret });
    const listed = await ada.caller.triggers.list({ flowId: flow.id });
    expect(listed.webhooks[0]?.hasSecret).toBe(true);
    expect(JSON.stringify(listed)).not.toContain(second.secret);
    expect(await t.auditActions(ada.orgId)).toEqual(
      expect.arrayContaining(["trigger.secret_rotated", "trigger.secret_rotated"]),
    );
    const audit = JSON.stringify(
      await t.db.select().from(auditLog).where(eq(auditLog.orgId, ada.orgId)),
    );
    expect(audit).not.toContain(second.secret);
  });

  it("createSchedule / updateSchedule validate cron and time zone with croner and compute next_run_at", async () => {
    const ada = await t.user("Ada");
    const plain = await publishedFlow(ada.caller, goodDefinition());
    const noNode = await failure(
      ada.caller.triggers.createSchedule({ flowId: plain.id, cron: "0 * * * *" }),
    );
    expect(noNode.message).toMatch(/no published version with a Schedule trigger/);

    const flow = await publishedFlow(ada.caller, triggered());
    const created = await ada.caller.triggers.createSchedule({
      flowId: flow.id,
      cron: "30 18 * * *",
      timezone: "Asia/Tokyo",
    });
    expect(created).toMatchObject({
      nodeId: null,
      cron: "30 18 * * *",
      timezone: "Asia/Tokyo",
      enabled: true,
    });
    const next = created.nextRunAt;
    if (!next) throw new Error("no next run");
    // 18:30 in Tokyo is 09:30 UTC.
    expect([next.getUTCHours(), next.getUTCMinutes()]).toEqual([9, 30]);

    const badCron = await failure(
      ada.caller.triggers.createSchedule({ flowId: flow.id, cron: "every day" }),
    );
    expect(Object.keys(badCron.fieldErrors ?? {})).toEqual(["cron"]);
    const badZone = await failure(
      ada.caller.triggers.updateSchedule({ id: created.id, timezone: "Nowhere/Land" }),
    );
    expect(badZone.fieldErrors).toEqual({
      timezone: ['"Nowhere/Land" is not a known IANA time zone (e.g. Europe/Berlin)'],
    });

    const paused = await ada.caller.triggers.updateSchedule({ id: created.id, enabled: false });
    expect(paused).toMatchObject({ enabled: false, nextRunAt: null });
    const moved = await ada.caller.triggers.updateSchedule({
      id: created.id,
      cron: "0 0 1 1 *",
      enabled: true,
    });
    expect(moved.nextRunAt?.getUTCMonth()).toBe(11); // Jan 1st 00:00 Tokyo = Dec 31st UTC
    expect((await ada.caller.triggers.list({ flowId: flow.id })).schedules).toHaveLength(2);
    expect(await t.auditActions(ada.orgId)).toEqual(
      expect.arrayContaining(["trigger.schedule_created", "trigger.schedule_updated"]),
    );
  });

  it("viewers list only; another org's ids answer NOT_FOUND and change nothing", async () => {
    const ada = await t.user("Ada");
    const vi = await t.user("Vi");
    const eve = await t.user("Eve");
    await t.addMember(ada.orgId, vi.userId, "viewer");
    const flow = await publishedFlow(ada.caller, triggered());
    const { webhooks, schedules } = await ada.caller.triggers.list({ flowId: flow.id });
    const hookId = webhooks[0]?.id ?? "";
    const scheduleId = schedules[0]?.id ?? "";
    const before = await t.db.select().from(triggers).where(eq(triggers.flowId, flow.id));

    const asVi = await t.caller({ userId: vi.userId, org: ada.orgId });
    expect((await asVi.triggers.list({ flowId: flow.id })).webhooks).toHaveLength(1);
    for (const call of [
      () => asVi.triggers.rotateSecret({ id: hookId }),
      () => asVi.triggers.createSchedule({ flowId: flow.id, cron: "* * * * *" }),
      () => asVi.triggers.updateSchedule({ id: scheduleId, enabled: false }),
    ]) {
      expect((await failure(call())).code).toBe("FORBIDDEN");
    }
    for (const call of [
      () => eve.caller.triggers.list({ flowId: flow.id }),
      () => eve.caller.triggers.rotateSecret({ id: hookId }),
      () => eve.caller.triggers.createSchedule({ flowId: flow.id, cron: "* * * * *" }),
      () => eve.caller.triggers.updateSchedule({ id: scheduleId, enabled: false }),
      // A schedule id is not a webhook id and vice versa.
      () => ada.caller.triggers.rotateSecret({ id: scheduleId }),
      () => ada.caller.triggers.updateSchedule({ id: hookId, enabled: false }),
    ]) {
      expect((await failure(call())).code).toBe("NOT_FOUND");
    }
    expect(await t.db.select().from(triggers).where(eq(triggers.flowId, flow.id))).toEqual(before);
  });

  it("listAll gives every flow with triggers in one answer, as list does per flow; other orgs and deleted flows stay out", async () => {
    const ada = await t.user("Ada");
    const eve = await t.user("Eve");
    const first = await publishedFlow(ada.caller, triggered());
    const second = await publishedFlow(ada.caller, triggered("*/5 * * * *", "UTC"));
    const plain = await ada.caller.flows.create({ name: "No triggers" });
    await ada.caller.flows.saveDraft({ id: plain.id, definition: goodDefinition() });
    await ada.caller.flows.publish({ id: plain.id });
    const gone = await publishedFlow(ada.caller, triggered());
    await ada.caller.flows.delete({ id: gone.id });
    await publishedFlow(eve.caller, triggered());

    const all = await ada.caller.triggers.listAll();
    expect(all.map((entry) => entry.flow.id).sort()).toEqual([first.id, second.id].sort());
    for (const flow of [first, second]) {
      const entry = all.find((candidate) => candidate.flow.id === flow.id);
      expect(entry?.flow).toEqual({ id: flow.id, name: "Triggered", latestVersion: 1 });
      expect({ webhooks: entry?.webhooks, schedules: entry?.schedules }).toEqual(
        await ada.caller.triggers.list({ flowId: flow.id }),
      );
    }
    expect(JSON.stringify(all)).not.toContain('secret"');
    expect(await (await t.user("Nobody")).caller.triggers.listAll()).toEqual([]);
  });

  it("deleting the flow disables its triggers", async () => {
    const ada = await t.user("Ada");
    const flow = await publishedFlow(ada.caller, triggered());
    await ada.caller.flows.delete({ id: flow.id });
    const rows = await t.db.select().from(triggers).where(eq(triggers.flowId, flow.id));
    expect(rows.map((r) => [r.kind, r.enabled, r.nextRunAt])).toEqual(
      expect.arrayContaining([
        ["webhook", false, null],
        ["schedule", false, null],
      ]),
    );
    expect((await failure(ada.caller.triggers.list({ flowId: flow.id }))).code).toBe("NOT_FOUND");
  });
});
