import { expect, it } from "vitest";

import { eq, sql } from "@runnel/db";
import { approvals } from "@runnel/db/schema";
import { describeEachDriver } from "@runnel/db/testing";

import {
  createApproval,
  decideApproval,
  expireApproval,
  getApproval,
  listApprovals,
} from "./approvals";
import {
  ApprovalAlreadyDecidedError,
  ApprovalExpiredError,
  ApprovalNotFoundError,
  RunNotFoundError,
} from "./errors";
import { listRunEvents } from "./events";
import { seedFlowVersion } from "./fixtures";
import { createRun } from "./store";

describeEachDriver("approvals", (suite) => {
  async function newRun() {
    const seeded = await seedFlowVersion(suite.db);
    const { run } = await createRun(suite.db, seeded.orgId, {
      flowVersionId: seeded.flowVersionId,
      triggerKind: "manual",
    });
    return { orgId: seeded.orgId, runId: run.id };
  }

  it("opens one request per run and node, and appends approval.requested once", async () => {
    const { orgId, runId } = await newRun();
    const request = {
      runId,
      nodeId: "manager_ok",
      assignees: ["user-1", "user-2"],
      message: "Refund 120 EUR?",
      formSchema: { type: "object", properties: { note: { type: "string" } } },
      expiresAt: new Date(Date.now() + 3_600_000),
    };
    const first = await createApproval(suite.db, orgId, {
      ...request,
      data: { refund: { amount: 120, currency: "EUR" }, lines: [1, 2] },
    });
    expect(first.created).toBe(true);
    expect(first.approval).toMatchObject({ status: "pending", assignees: ["user-1", "user-2"] });
    expect((await getApproval(suite.db, orgId, first.approval.id))?.data).toEqual({
      refund: { amount: 120, currency: "EUR" },
      lines: [1, 2],
    });
    expect(first.events[0]).toMatchObject({
      type: "approval.requested",
      nodeId: "manager_ok",
      payload: { approvalId: first.approval.id, message: "Refund 120 EUR?" },
    });
    const replay = await createApproval(suite.db, orgId, request);
    expect(replay).toMatchObject({ created: false, events: [] });
    expect(replay.approval.id).toBe(first.approval.id);
    expect(await listApprovals(suite.db, orgId, { status: "pending" })).toHaveLength(1);
  });

  it("takes exactly one decision; a second one fails and says what was decided", async () => {
    const { orgId, runId } = await newRun();
    const { approval } = await createApproval(suite.db, orgId, { runId, nodeId: "review" });
    expect(approval.data).toBeNull();
    const decided = await decideApproval(suite.db, orgId, {
      approvalId: approval.id,
      decision: "approved",
      decidedBy: null,
      comment: "fine",
      formData: { note: "ok" },
    });
    expect(decided.approval).toMatchObject({
      status: "approved",
      comment: "fine",
      formData: { note: "ok" },
    });
    expect(decided.approval.decidedAt).toBeInstanceOf(Date);
    expect(decided.events[0]).toMatchObject({
      type: "approval.decided",
      payload: { approvalId: approval.id, status: "approved", comment: "fine" },
    });

    const second = decideApproval(suite.db, orgId, {
      approvalId: approval.id,
      decision: "rejected",
      decidedBy: null,
    });
    await expect(second).rejects.toBeInstanceOf(ApprovalAlreadyDecidedError);
    await expect(second).rejects.toThrow(/already decided \(approved/);
    expect((await getApproval(suite.db, orgId, approval.id))?.status).toBe("approved");
  });

  it("lets only one of several concurrent decisions win", async () => {
    const { orgId, runId } = await newRun();
    const { approval } = await createApproval(suite.db, orgId, { runId, nodeId: "race" });
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, index) =>
        decideApproval(suite.db, orgId, {
          approvalId: approval.id,
          decision: index % 2 === 0 ? "approved" : "rejected",
          decidedBy: null,
        }),
      ),
    );
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    for (const result of results) {
      if (result.status === "rejected")
        expect(result.reason).toBeInstanceOf(ApprovalAlreadyDecidedError);
    }
    const decided = (await listRunEvents(suite.db, orgId, runId)).filter(
      (event) => event.type === "approval.decided",
    );
    expect(decided).toHaveLength(1);
  });

  it("refuses decisions after expiry, and a timeout is final too", async () => {
    const { orgId, runId } = await newRun();
    const { approval } = await createApproval(suite.db, orgId, {
      runId,
      nodeId: "late",
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    // Move the deadline into the past on the database's own clock.
    await suite.db
      .update(approvals)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(approvals.id, approval.id));
    await expect(
      decideApproval(suite.db, orgId, {
        approvalId: approval.id,
        decision: "approved",
        decidedBy: null,
      }),
    ).rejects.toBeInstanceOf(ApprovalExpiredError);

    const expired = await expireApproval(suite.db, orgId, approval.id);
    expect(expired).toMatchObject({ changed: true, approval: { status: "timed_out" } });
    expect(expired.events[0]).toMatchObject({
      type: "approval.decided",
      payload: { status: "timed_out" },
    });
    expect(await expireApproval(suite.db, orgId, approval.id)).toMatchObject({
      changed: false,
      events: [],
    });
    await expect(
      decideApproval(suite.db, orgId, {
        approvalId: approval.id,
        decision: "approved",
        decidedBy: null,
      }),
    ).rejects.toBeInstanceOf(ApprovalAlreadyDecidedError);
  });

  it("answers not found for another org's approval or run, with no side effect", async () => {
    const { orgId, runId } = await newRun();
    const other = await seedFlowVersion(suite.db);
    const { approval } = await createApproval(suite.db, orgId, { runId, nodeId: "mine" });
    await expect(
      decideApproval(suite.db, other.orgId, {
        approvalId: approval.id,
        decision: "approved",
        decidedBy: null,
      }),
    ).rejects.toBeInstanceOf(ApprovalNotFoundError);
    await expect(expireApproval(suite.db, other.orgId, approval.id)).rejects.toBeInstanceOf(
      ApprovalNotFoundError,
    );
    await expect(
      createApproval(suite.db, other.orgId, { runId, nodeId: "theirs" }),
    ).rejects.toBeInstanceOf(RunNotFoundError);
    expect(await getApproval(suite.db, other.orgId, approval.id)).toBeUndefined();
    expect((await getApproval(suite.db, orgId, approval.id))?.status).toBe("pending");
  });
});
