import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { RunEvent } from "@runnel/engine";
import { eq } from "@runnel/db";
import { runs } from "@runnel/db/schema";

import type { Caller, EngineHarness } from "./runs.fixtures";
import { failure } from "../../test/harness";
import { createEngineHarness, greetFlow, publishedFlow, slowFlow } from "./runs.fixtures";

let t: EngineHarness;

beforeAll(async () => {
  t = await createEngineHarness();
}, 120_000);
afterAll(async () => {
  await t.close();
});

/**
 * Reads a watch subscription to its end (the run's terminal event), keeping each tracked id. A server-side caller
 * yields tracked() envelopes as they are (`[id, data, marker]`); over HTTP the client sees `{ id, data }`.
 */
async function watchAll(caller: Caller, id: string, lastEventId?: string) {
  const stream = await caller.runs.watch({ id, ...(lastEventId ? { lastEventId } : {}) });
  const seen: { id: string; event: RunEvent }[] = [];
  for await (const item of stream) {
    const raw: unknown = item;
    if (!Array.isArray(raw)) throw new Error("expected a tracked envelope from runs.watch");
    seen.push({ id: String(raw[0]), event: raw[1] as RunEvent });
  }
  return seen;
}

describe("runs router with the embedded engine", () => {
  it("starts a run of a published flow, watches it to the end, and resumes a watch with no gap or duplicate", async () => {
    const ada = await t.user("Ada");
    const flowId = await publishedFlow(ada.caller, "Greeter", greetFlow());
    const started = await ada.caller.runs.start({ flowId, input: { name: "ada" } });
    expect(started).toMatchObject({ flowId, status: "queued" });

    const all = await watchAll(ada.caller, started.id);
    const seqs = all.map((item) => item.event.seq);
    expect(seqs).toEqual(seqs.map((_, index) => index + 1));
    expect(all.map((item) => item.id)).toEqual(seqs.map(String));
    expect(all[0]?.event.type).toBe("run.queued");
    expect(all.at(-1)?.event.type).toBe("run.succeeded");
    expect(all.map((item) => item.event.nodeId)).toEqual(
      expect.arrayContaining(["start", "greet", "shout"]),
    );

    const resumed = await watchAll(ada.caller, started.id, "2");
    expect(resumed.map((item) => item.event.seq)).toEqual(seqs.slice(2));

    const run = await ada.caller.runs.get({ id: started.id });
    expect(run).toMatchObject({
      status: "succeeded",
      flowName: "Greeter",
      version: 1,
      input: { name: "ada" },
      triggerKind: "manual",
      createdBy: ada.userId,
    });
    const outputs = Object.fromEntries(
      run.steps.filter((s) => s.status === "succeeded").map((s) => [s.nodeId, s.output]),
    );
    expect(outputs).toMatchObject({
      greet: { greeting: "hello ada" },
      shout: { loud: "HELLO ADA" },
    });

    const events = await ada.caller.runs.events({ id: started.id, afterSeq: 1 });
    expect(events.map((event) => event.seq)).toEqual(seqs.slice(1));
    expect(await t.auditActions(ada.orgId)).toContain("run.started");
  });

  it("lists runs newest first with filters and cursor pages", async () => {
    const bea = await t.user("Bea");
    const greeter = await publishedFlow(bea.caller, "Greeter", greetFlow());
    const other = await publishedFlow(bea.caller, "Other", greetFlow());
    const ids: string[] = [];
    for (const name of ["a", "b", "c"]) {
      ids.push((await bea.caller.runs.start({ flowId: greeter, input: { name } })).id);
    }
    const otherRun = await bea.caller.runs.start({ flowId: other, input: { name: "z" } });
    for (const id of [...ids, otherRun.id]) await t.waitFor(bea.orgId, id);

    const first = await bea.caller.runs.list({ flowId: greeter, limit: 2 });
    expect(first.items.map((run) => run.id)).toEqual([ids[2], ids[1]]);
    expect(first.items[0]).toMatchObject({ flowName: "Greeter", version: 1, status: "succeeded" });
    expect(first.nextCursor).toBe(ids[1]);
    const second = await bea.caller.runs.list({
      flowId: greeter,
      limit: 2,
      cursor: first.nextCursor,
    });
    expect(second.items.map((run) => run.id)).toEqual([ids[0]]);
    expect(second.nextCursor).toBeNull();

    const everything = await bea.caller.runs.list({ status: "succeeded" });
    expect(everything.items.map((run) => run.id)).toEqual([otherRun.id, ...ids.reverse()]);
    expect((await bea.caller.runs.list({ status: "failed" })).items).toEqual([]);
  });

  it("list takes the direction tRPC's infinite queries add: forward pages as without it, backward and other keys are refused", async () => {
    const cy = await t.user("Cy");
    const flowId = await publishedFlow(cy.caller, "Greeter", greetFlow());
    const ids: string[] = [];
    for (const name of ["a", "b"]) {
      ids.push((await cy.caller.runs.start({ flowId, input: { name } })).id);
    }
    for (const id of ids) await t.waitFor(cy.orgId, id);

    const first = await cy.caller.runs.list({ flowId, limit: 1, direction: "forward" });
    expect(first.items.map((run) => run.id)).toEqual([ids[1]]);
    expect(first).toEqual(await cy.caller.runs.list({ flowId, limit: 1 }));
    const second = await cy.caller.runs.list({
      flowId,
      limit: 1,
      cursor: first.nextCursor,
      direction: "forward",
    });
    expect(second.items.map((run) => run.id)).toEqual([ids[0]]);
    expect(second.nextCursor).toBeNull();

    const backward = await failure(
      cy.caller.runs.list({ flowId, limit: 1, cursor: first.nextCursor, direction: "backward" }),
    );
    expect(backward.code).toBe("BAD_REQUEST");
    expect(Object.keys(backward.fieldErrors ?? {})).toEqual(["direction"]);
    expect(backward.fieldErrors?.direction?.[0]).toMatch(/only forward paging is supported/i);

    const unknownKey = await failure(
      cy.caller.runs.list({ flowId, direction: "forward", page: 2 } as never),
    );
    expect(unknownKey.code).toBe("BAD_REQUEST");
    expect(unknownKey.message).toContain('"page"');
  });

  it("records a run whose input misses the trigger's schema as failed, and a flow never published is refused", async () => {
    const cy = await t.user("Cy");
    const flowId = await publishedFlow(cy.caller, "Greeter", greetFlow());
    const bad = await cy.caller.runs.start({ flowId, input: { nope: 1 } });
    const failed = await t.waitFor(cy.orgId, bad.id);
    expect(failed.status).toBe("failed");
    expect(failed.failedNodeId).toBe("start");

    const draftOnly = await cy.caller.flows.create({ name: "Draft" });
    expect(await failure(cy.caller.runs.start({ flowId: draftOnly.id, input: {} }))).toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringContaining("no published version") as unknown,
    });
    expect(
      await failure(cy.caller.runs.start({ flowId, version: 9, input: { name: "x" } })),
    ).toMatchObject({ code: "PRECONDITION_FAILED" });
  });

  it("cancels a waiting run: the watch ends with run.cancelled; cancelling again changes nothing", async () => {
    const dee = await t.user("Dee");
    const flowId = await publishedFlow(dee.caller, "Slow", slowFlow());
    const started = await dee.caller.runs.start({ flowId, input: { name: "d" } });
    await t.waitFor(dee.orgId, started.id, (status) => status === "waiting");

    const watching = watchAll(dee.caller, started.id);
    const cancelled = await dee.caller.runs.cancel({ id: started.id });
    expect(cancelled).toEqual({ id: started.id, cancelled: true, status: "cancelled" });
    const seen = await watching;
    expect(seen.at(-1)?.event.type).toBe("run.cancelled");
    expect(await dee.caller.runs.cancel({ id: started.id })).toMatchObject({ cancelled: false });
    const run = await dee.caller.runs.get({ id: started.id });
    expect(run.status).toBe("cancelled");
    expect(run.steps.some((step) => step.nodeId === "after")).toBe(false);
    expect(await t.auditActions(dee.orgId)).toEqual(
      expect.arrayContaining(["run.started", "run.cancelled"]),
    );
  });

  it("another org's run is NOT_FOUND everywhere, with no side effect", async () => {
    const eve = await t.user("Eve");
    const fay = await t.user("Fay");
    const flowId = await publishedFlow(fay.caller, "Slow", slowFlow());
    const started = await fay.caller.runs.start({ flowId, input: { name: "f" } });
    await t.waitFor(fay.orgId, started.id, (status) => status === "waiting");

    // Each call starts only when the previous one has been checked, so no rejection goes unobserved.
    for (const call of [
      () => eve.caller.runs.get({ id: started.id }),
      () => eve.caller.runs.cancel({ id: started.id }),
      () => eve.caller.runs.events({ id: started.id }),
      () => watchAll(eve.caller, started.id),
      () => eve.caller.runs.start({ flowId, input: { name: "e" } }),
    ]) {
      expect((await failure(call())).code).toBe("NOT_FOUND");
    }
    expect((await eve.caller.runs.list({})).items).toEqual([]);
    const [row] = await t.db.select().from(runs).where(eq(runs.id, started.id));
    expect(row?.status).toBe("waiting");
    await fay.caller.runs.cancel({ id: started.id });
  });

  it("a viewer reads runs but cannot start or cancel them; an API key acts as editor", async () => {
    const gus = await t.user("Gus");
    const hal = await t.user("Hal");
    const flowId = await publishedFlow(gus.caller, "Greeter", greetFlow());
    const viewer = await t.member(gus.orgId, hal.userId, "viewer");
    const before = await gus.caller.runs.list({});

    expect((await failure(viewer.runs.start({ flowId, input: { name: "h" } }))).code).toBe(
      "FORBIDDEN",
    );
    expect((await gus.caller.runs.list({})).items).toHaveLength(before.items.length);

    const { key } = await gus.caller.apiKeys.create({ name: "runner" });
    const bot = await t.caller({ apiKey: key });
    const started = await bot.runs.start({ flowId, input: { name: "bot" } });
    await t.waitFor(gus.orgId, started.id);
    expect((await viewer.runs.get({ id: started.id })).status).toBe("succeeded");
    expect((await failure(viewer.runs.cancel({ id: started.id }))).code).toBe("FORBIDDEN");
  });

  it("without an engine in the context, starting answers PRECONDITION_FAILED", async () => {
    const ivy = await t.user("Ivy");
    const flowId = await publishedFlow(ivy.caller, "Greeter", greetFlow());
    const bare = await t.caller({ userId: ivy.userId, withEngine: false });
    expect((await failure(bare.runs.start({ flowId, input: { name: "i" } }))).code).toBe(
      "PRECONDITION_FAILED",
    );
  });
});
