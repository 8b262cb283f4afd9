import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { EngineHarness } from "./runs.fixtures";
import { failure } from "../../test/harness";
import { approvalFlow, createEngineHarness, publishedFlow } from "./runs.fixtures";

let t: EngineHarness;

beforeAll(async () => {
  t = await createEngineHarness();
}, 120_000);
afterAll(async () => {
  await t.close();
});

describe("approvals router with the embedded engine", () => {
  it("lists pending approvals marked for their assignee; an assignee decides even as a viewer; a decision is single-shot", async () => {
    const owner = await t.user("Olga");
    const assignee = await t.user("Abe");
    const bystander = await t.user("Ben");
    const abe = await t.member(owner.orgId, assignee.userId, "viewer");
    const ben = await t.member(owner.orgId, bystander.userId, "viewer");
    const flowId = await publishedFlow(
      owner.caller,
      "Ship",
      approvalFlow([assignee.email.toUpperCase()]),
    );
    const run = await owner.caller.runs.start({ flowId, input: { name: "v1" } });
    await t.waitFor(owner.orgId, run.id, (status) => status === "waiting");

    const [forAbe] = await abe.approvals.pending();
    expect(forAbe).toMatchObject({
      runId: run.id,
      nodeId: "ask",
      message: "Ship it?",
      flowName: "Ship",
      assignedToMe: true,
      // No `data` configured: the node sends its input for review.
      data: { name: "v1" },
    });
    const id = forAbe?.id ?? "";
    expect((await ben.approvals.pending()).map((a) => a.assignedToMe)).toEqual([false]);
    expect(await ben.approvals.pending({ onlyMine: true })).toEqual([]);

    expect((await failure(ben.approvals.decide({ id, decision: "approve" }))).code).toBe(
      "FORBIDDEN",
    );
    const decided = await abe.approvals.decide({ id, decision: "approve", comment: "go" });
    expect(decided).toMatchObject({ id, runId: run.id, status: "approved" });

    const finished = await t.waitFor(owner.orgId, run.id);
    expect(finished.status).toBe("succeeded");
    const result = await owner.caller.runs.get({ id: run.id });
    const shipped = result.steps.find((s) => s.nodeId === "shipped" && s.status === "succeeded");
    expect(shipped?.output).toMatchObject({ decision: "approved" });

    const again = await failure(owner.caller.approvals.decide({ id, decision: "reject" }));
    expect(again).toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("already decided") as unknown,
    });
    expect(await owner.caller.approvals.pending()).toEqual([]);
    expect(await t.auditActions(owner.orgId)).toContain("approval.decided");
  });

  it("returns the data the node sent for review (config.data), pending and decided", async () => {
    const owner = await t.user("Olga");
    const base = approvalFlow([owner.email]);
    const flowId = await publishedFlow(owner.caller, "Review", {
      ...base,
      nodes: base.nodes.map((node) =>
        node.id === "ask"
          ? {
              ...node,
              config: {
                ...node.config,
                data: { release: "{{ trigger.name }}", checks: ["lint", "tests"] },
              },
            }
          : node,
      ),
    });
    const run = await owner.caller.runs.start({ flowId, input: { name: "v2" } });
    await t.waitFor(owner.orgId, run.id, (status) => status === "waiting");
    const [pending] = await owner.caller.approvals.pending();
    expect(pending?.data).toEqual({ release: "v2", checks: ["lint", "tests"] });
    await owner.caller.approvals.decide({ id: pending?.id ?? "", decision: "reject" });
    const [decided] = await owner.caller.approvals.decided();
    expect(decided).toMatchObject({
      id: pending?.id,
      status: "rejected",
      data: { release: "v2", checks: ["lint", "tests"] },
    });
  });

  it("an editor rejects an approval assigned to someone else; another org's approval is NOT_FOUND", async () => {
    const owner = await t.user("Ora");
    const stranger = await t.user("Sid");
    const flowId = await publishedFlow(owner.caller, "Ship", approvalFlow(["someone-else"]));
    const run = await owner.caller.runs.start({ flowId, input: { name: "v1" } });
    await t.waitFor(owner.orgId, run.id, (status) => status === "waiting");
    const [pending] = await owner.caller.approvals.pending();
    const id = pending?.id ?? "";
    expect(pending?.assignedToMe).toBe(false);

    expect(
      (await failure(stranger.caller.approvals.decide({ id, decision: "approve" }))).code,
    ).toBe("NOT_FOUND");
    expect(await stranger.caller.approvals.pending()).toEqual([]);

    await owner.caller.approvals.decide({ id, decision: "reject", comment: "not today" });
    const finished = await t.waitFor(owner.orgId, run.id);
    expect(finished.status).toBe("succeeded");
    const result = await owner.caller.runs.get({ id: run.id });
    const shipped = result.steps.filter((s) => s.nodeId === "shipped");
    expect(shipped.map((s) => s.status)).toEqual(["skipped"]);
  });

  it("form answers that miss the approval's form schema are a field error on formData; the approval stays pending", async () => {
    const owner = await t.user("Fio");
    const definition = approvalFlow(["anyone"]);
    const ask = definition.nodes.find((node) => node.id === "ask");
    if (!ask) throw new Error("approvalFlow has no ask node");
    ask.config = {
      ...ask.config,
      form: {
        type: "object",
        properties: { budget: { type: "number" } },
        required: ["budget"],
      },
    };
    const flowId = await publishedFlow(owner.caller, "Budget", definition);
    const run = await owner.caller.runs.start({ flowId, input: { name: "f" } });
    await t.waitFor(owner.orgId, run.id, (status) => status === "waiting");
    const [pending] = await owner.caller.approvals.pending();
    const id = pending?.id ?? "";

    const bad = await failure(
      owner.caller.approvals.decide({ id, decision: "approve", formData: { budget: "lots" } }),
    );
    expect(bad.code).toBe("BAD_REQUEST");
    expect(Object.keys(bad.fieldErrors ?? {})).toEqual(["formData"]);
    expect((await owner.caller.approvals.pending()).map((a) => a.id)).toEqual([id]);

    await owner.caller.approvals.decide({ id, decision: "approve", formData: { budget: 5 } });
    expect((await t.waitFor(owner.orgId, run.id)).status).toBe("succeeded");
  });
});
