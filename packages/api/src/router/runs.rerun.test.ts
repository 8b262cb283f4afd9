import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { FlowDefinitionInput } from "@runnel/engine";
import { eq, sql } from "@runnel/db";
import { flowVersions, runs } from "@runnel/db/schema";

import type { EngineHarness } from "./runs.fixtures";
import { failure } from "../../test/harness";
import { createEngineHarness, greetFlow, publishedFlow } from "./runs.fixtures";

let t: EngineHarness;

beforeAll(async () => {
  t = await createEngineHarness();
}, 120_000);
afterAll(async () => {
  await t.close();
});

/** greetFlow with a code node `shout` that throws for "boom", followed by `after` (set). */
function fragileFlow(shoutCode: string): FlowDefinitionInput {
  const base = greetFlow();
  return {
    nodes: [
      ...base.nodes.map((node) =>
        node.id === "shout" ? { ...node, config: { code: shoutCode } } : node,
      ),
      {
        id: "after",
        type: "set",
        version: 1,
        name: "After",
        config: { keep: "none", fields: [{ name: "done", value: "{{ nodes.shout.loud }}!" }] },
      },
    ],
    edges: [
      ...base.edges,
      { id: "shout-after", source: "shout", sourcePort: "out", target: "after", targetPort: "in" },
    ],
  };
}

const THROWS_ON_BOOM =
  'if (input.greeting.includes("boom")) throw new Error("boom"); return { loud: input.greeting.toUpperCase() };';
const NEVER_THROWS = "return { loud: input.greeting.toUpperCase() + ' (fixed)' };";

async function versionRows(flowId: string) {
  return t.db
    .select({ kind: flowVersions.kind, number: flowVersions.number })
    .from(flowVersions)
    .where(eq(flowVersions.flowId, flowId));
}

describe("runs.test: test runs of the draft", () => {
  it("runs the current draft as a test run: snapshotted, listed with test: true, never a version", async () => {
    const ada = await t.user("Ada");
    const flow = await ada.caller.flows.create({ name: "Draft only" });
    await ada.caller.flows.saveDraft({ id: flow.id, definition: greetFlow() });

    const started = await ada.caller.runs.test({ flowId: flow.id, input: { name: "ada" } });
    expect(started).toMatchObject({ flowId: flow.id, status: "queued", test: true, rerunOf: null });
    const finished = await t.waitFor(ada.orgId, started.id);
    expect(finished.status).toBe("succeeded");
    expect(finished.output).toEqual({ loud: "HELLO ADA" });

    const run = await ada.caller.runs.get({ id: started.id });
    expect(run).toMatchObject({
      test: true,
      version: 0,
      triggerKind: "manual",
      createdBy: ada.userId,
    });
    const tests = await ada.caller.runs.list({ flowId: flow.id, test: true });
    expect(tests.items.map((item) => [item.id, item.test])).toEqual([[started.id, true]]);
    expect((await ada.caller.runs.list({ flowId: flow.id, test: false })).items).toEqual([]);
    const byTrigger = async (triggerKind: "manual" | "webhook") =>
      (await ada.caller.runs.list({ flowId: flow.id, triggerKind })).items.map((item) => item.id);
    expect(await byTrigger("manual")).toEqual([started.id]);
    expect(await byTrigger("webhook")).toEqual([]);

    // The run's own definition is the snapshot, not the draft edited after it.
    const base = greetFlow();
    const edited = { ...base, nodes: base.nodes.map((n) => ({ ...n, name: `Edited ${n.id}` })) };
    await ada.caller.flows.saveDraft({ id: flow.id, definition: edited });
    const draftNames = (await ada.caller.flows.get({ id: flow.id })).draft.nodes.map((n) => n.name);
    expect(draftNames).toEqual(base.nodes.map((n) => `Edited ${n.id}`));
    const pinned = await ada.caller.runs.definition({ id: started.id });
    expect(pinned).toMatchObject({ test: true, version: 0 });
    expect(pinned.definition.nodes.map((n) => n.id)).toEqual(base.nodes.map((n) => n.id));
    expect(pinned.definition.nodes.some((n) => n.name.startsWith("Edited"))).toBe(false);

    // The snapshot is no version: not listed, not the latest, not runnable or deployable as one.
    expect(await ada.caller.flows.versions({ id: flow.id })).toEqual([]);
    const listed = await ada.caller.flows.list({});
    expect(listed.items.find((item) => item.id === flow.id)?.latestVersion).toBeNull();
    expect((await failure(ada.caller.runs.start({ flowId: flow.id, input: {} }))).code).toBe(
      "PRECONDITION_FAILED",
    );
    expect((await failure(ada.caller.deployments.publish({ flowId: flow.id }))).code).toBe(
      "BAD_REQUEST",
    );
    const pinTest = ada.caller.deployments.publish({
      flowId: flow.id,
      versionId: run.flowVersionId,
    });
    expect((await failure(pinTest)).code).toBe("NOT_FOUND");
    expect(await ada.caller.deployments.get({ flowId: flow.id })).toBeNull();

    // Publishing still numbers from 1, and the draft edit after the test run does not touch the snapshot.
    await ada.caller.flows.publish({ id: flow.id });
    expect((await ada.caller.flows.versions({ id: flow.id })).map((v) => v.number)).toEqual([1]);
    expect(await versionRows(flow.id)).toEqual(
      expect.arrayContaining([
        { kind: "test", number: 0 },
        { kind: "published", number: 1 },
      ]),
    );
    expect(await t.auditActions(ada.orgId)).toContain("run.started");
  });

  it("refuses a draft that does not compile with every problem and its node id; nothing is stored", async () => {
    const bea = await t.user("Bea");
    const flow = await bea.caller.flows.create({ name: "Broken" });
    const broken = greetFlow();
    broken.edges.push({
      id: "shout-ghost",
      source: "shout",
      sourcePort: "out",
      target: "ghost",
      targetPort: "in",
    });
    await bea.caller.flows.saveDraft({ id: flow.id, definition: broken });
    const refused = await failure(bea.caller.runs.test({ flowId: flow.id, input: { name: "x" } }));
    expect(refused.code).toBe("BAD_REQUEST");
    expect(refused.message).toContain("ghost");
    expect(Object.keys(refused.fieldErrors ?? {}).length).toBeGreaterThan(0);
    expect(await versionRows(flow.id)).toEqual([]);
    const [stored] = await t.db
      .select({ n: sql<number>`count(*)::int` })
      .from(runs)
      .where(eq(runs.flowId, flow.id));
    expect(stored?.n).toBe(0);
  });

  it("is for editors: a viewer gets FORBIDDEN, another org's flow NOT_FOUND", async () => {
    const cy = await t.user("Cy");
    const flow = await cy.caller.flows.create({ name: "Guarded" });
    await cy.caller.flows.saveDraft({ id: flow.id, definition: greetFlow() });
    const viewer = await t.user("Vi");
    const asViewer = await t.member(cy.orgId, viewer.userId, "viewer");
    expect((await failure(asViewer.runs.test({ flowId: flow.id, input: {} }))).code).toBe(
      "FORBIDDEN",
    );
    expect((await failure(viewer.caller.runs.test({ flowId: flow.id, input: {} }))).code).toBe(
      "NOT_FOUND",
    );
    expect(await versionRows(flow.id)).toEqual([]);
  });
});

describe("runs.rerunFrom", () => {
  it("executes the node and what follows it, reusing the upstream outputs of the earlier run", async () => {
    const dee = await t.user("Dee");
    const flowId = await publishedFlow(dee.caller, "Fragile", fragileFlow(THROWS_ON_BOOM));
    const first = await dee.caller.runs.start({ flowId, input: { name: "ada" } });
    expect((await t.waitFor(dee.orgId, first.id)).status).toBe("succeeded");

    const again = await dee.caller.runs.rerunFrom({ runId: first.id, nodeId: "shout" });
    expect(again).toMatchObject({
      flowId,
      flowVersionId: first.flowVersionId,
      test: false,
      rerunOf: { runId: first.id, nodeId: "shout" },
    });
    const finished = await t.waitFor(dee.orgId, again.id);
    expect(finished.status).toBe("succeeded");
    expect(finished.output).toEqual({ done: "HELLO ADA!" });
    expect(finished.input).toEqual({ name: "ada" });

    const run = await dee.caller.runs.get({ id: again.id });
    expect(run.rerunOf).toEqual({ runId: first.id, nodeId: "shout" });
    const byNode = Object.fromEntries(run.steps.map((step) => [step.nodeId, step]));
    for (const id of ["start", "greet"]) {
      expect(byNode[id]).toMatchObject({
        status: "succeeded",
        reused: true,
        reusedFromRunId: first.id,
      });
    }
    expect(byNode.greet?.output).toEqual({ greeting: "hello ada" });
    for (const id of ["shout", "after"]) {
      expect(byNode[id]).toMatchObject({
        status: "succeeded",
        reused: false,
        reusedFromRunId: null,
      });
    }
    // Reused nodes were not executed: no step.started for them.
    const events = await dee.caller.runs.events({ id: again.id });
    const startedNodes = events.filter((e) => e.type === "step.started").map((e) => e.nodeId);
    expect(startedNodes.sort()).toEqual(["after", "shout"]);
    const listed = await dee.caller.runs.list({ flowId });
    expect(listed.items[0]).toMatchObject({
      id: again.id,
      rerunOfRunId: first.id,
      rerunFromNodeId: "shout",
    });
  });

  it("fixes a failed run by rerunning the failed node on the draft; the upstream output is the earlier one", async () => {
    const eve = await t.user("Eve");
    const flowId = await publishedFlow(eve.caller, "Fragile", fragileFlow(THROWS_ON_BOOM));
    const failed = await eve.caller.runs.start({ flowId, input: { name: "boom" } });
    const failedRun = await t.waitFor(eve.orgId, failed.id);
    expect(failedRun).toMatchObject({ status: "failed", failedNodeId: "shout" });

    // Downstream of the failed node there is nothing to reuse from it.
    const refused = await failure(eve.caller.runs.rerunFrom({ runId: failed.id, nodeId: "after" }));
    expect(refused.code).toBe("BAD_REQUEST");
    expect(refused.message).toContain('"shout"');
    expect(refused.fieldErrors?.nodeId?.[0]).toContain("shout");

    // Fix the code in the draft, and change `greet` too: the rerun must reuse greet's earlier output.
    const fixed = fragileFlow(NEVER_THROWS);
    const greet = fixed.nodes.find((node) => node.id === "greet");
    if (greet) greet.config = { keep: "none", fields: [{ name: "greeting", value: "bye" }] };
    await eve.caller.flows.saveDraft({ id: flowId, definition: fixed });
    const rerun = await eve.caller.runs.rerunFrom({
      runId: failed.id,
      nodeId: "shout",
      draft: true,
    });
    expect(rerun).toMatchObject({ test: true, rerunOf: { runId: failed.id, nodeId: "shout" } });
    expect(rerun.flowVersionId).not.toBe(failed.flowVersionId);
    const done = await t.waitFor(eve.orgId, rerun.id);
    expect(done.status).toBe("succeeded");
    expect(done.output).toEqual({ done: "HELLO BOOM (fixed)!" });
    expect((await eve.caller.runs.get({ id: rerun.id })).test).toBe(true);
    expect((await eve.caller.flows.versions({ id: flowId })).map((v) => v.number)).toEqual([1]);
  });

  it("refuses an unknown node naming it, and another org's run with NOT_FOUND and no side effect", async () => {
    const fay = await t.user("Fay");
    const flowId = await publishedFlow(fay.caller, "Greeter", greetFlow());
    const first = await fay.caller.runs.start({ flowId, input: { name: "fay" } });
    await t.waitFor(fay.orgId, first.id);

    const unknown = await failure(fay.caller.runs.rerunFrom({ runId: first.id, nodeId: "nope" }));
    expect(unknown.code).toBe("BAD_REQUEST");
    expect(unknown.message).toContain('"nope"');

    const gus = await t.user("Gus");
    const countRows = async () => ({
      runs: (await t.db.select({ n: sql<number>`count(*)::int` }).from(runs))[0]?.n,
      versions: (await t.db.select({ n: sql<number>`count(*)::int` }).from(flowVersions))[0]?.n,
    });
    const before = await countRows();
    for (const draft of [false, true]) {
      const foreign = await failure(
        gus.caller.runs.rerunFrom({ runId: first.id, nodeId: "greet", draft }),
      );
      expect(foreign.code).toBe("NOT_FOUND");
    }
    expect(await countRows()).toEqual(before);

    const viewer = await t.member(fay.orgId, gus.userId, "viewer");
    const forbidden = await failure(viewer.runs.rerunFrom({ runId: first.id, nodeId: "greet" }));
    expect(forbidden.code).toBe("FORBIDDEN");
    expect(await countRows()).toEqual(before);

    // A run of a deleted flow is not rerun.
    await fay.caller.flows.delete({ id: flowId });
    const deleted = await failure(fay.caller.runs.rerunFrom({ runId: first.id, nodeId: "greet" }));
    expect(deleted.code).toBe("NOT_FOUND");
    expect(await countRows()).toEqual(before);
  });

  it("rerunning from the trigger executes everything again with the same input", async () => {
    const hal = await t.user("Hal");
    const flowId = await publishedFlow(hal.caller, "Greeter", greetFlow());
    const first = await hal.caller.runs.start({ flowId, input: { name: "hal" } });
    await t.waitFor(hal.orgId, first.id);
    const again = await hal.caller.runs.rerunFrom({ runId: first.id, nodeId: "start" });
    const done = await t.waitFor(hal.orgId, again.id);
    expect(done.output).toEqual({ loud: "HELLO HAL" });
    const run = await hal.caller.runs.get({ id: again.id });
    expect(run.steps.every((step) => !step.reused)).toBe(true);
    expect(run.steps.map((step) => step.nodeId).sort()).toEqual(["greet", "shout", "start"]);
  });
});
