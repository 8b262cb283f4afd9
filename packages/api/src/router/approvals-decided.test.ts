import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { EngineHarness } from "./runs.fixtures";
import { approvalFlow, createEngineHarness, publishedFlow } from "./runs.fixtures";

let t: EngineHarness;

beforeAll(async () => {
  t = await createEngineHarness();
}, 120_000);
afterAll(async () => {
  await t.close();
});

describe("approvals.decided and deployments.openapi", () => {
  it("lists decided approvals with the decider, comment and flow; pending ones and other orgs' stay out", async () => {
    const owner = await t.user("Dora");
    const stranger = await t.user("Stan");
    const flowId = await publishedFlow(owner.caller, "Ship", approvalFlow([owner.email]));
    const first = await owner.caller.runs.start({ flowId, input: { name: "a" } });
    await t.waitFor(owner.orgId, first.id, (status) => status === "waiting");
    expect(await owner.caller.approvals.decided()).toEqual([]);

    const [pending] = await owner.caller.approvals.pending();
    await owner.caller.approvals.decide({
      id: pending?.id ?? "",
      decision: "reject",
      comment: "not yet",
    });
    const second = await owner.caller.runs.start({ flowId, input: { name: "b" } });
    await t.waitFor(owner.orgId, second.id, (status) => status === "waiting");

    const decided = await owner.caller.approvals.decided();
    expect(decided).toHaveLength(1);
    expect(decided[0]).toMatchObject({
      id: pending?.id,
      runId: first.id,
      nodeId: "ask",
      status: "rejected",
      comment: "not yet",
      flowName: "Ship",
      decidedByEmail: owner.email,
    });
    expect(decided[0]?.decidedAt).toBeInstanceOf(Date);
    expect(await stranger.caller.approvals.decided()).toEqual([]);
  });

  it("deployments.openapi returns the org's OpenAPI document with its deployed flow", async () => {
    const owner = await t.user("Opal");
    const flowId = await publishedFlow(owner.caller, "Greeter", approvalFlow([owner.email]));
    const before = await owner.caller.deployments.openapi();
    expect(before.openapi).toMatch(/^3\.1/);
    expect(Object.keys(before.paths)).not.toContain("/api/v1/flows/greeter/runs");

    await owner.caller.deployments.publish({ flowId });
    const after = await owner.caller.deployments.openapi();
    expect(Object.keys(after.paths)).toContain("/api/v1/flows/greeter/runs");
  });
});
