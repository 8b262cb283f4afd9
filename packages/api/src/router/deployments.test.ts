import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { eq } from "@runnel/db";
import { deployments } from "@runnel/db/schema";

import type { Caller, Harness } from "../../test/harness";
import { createHarness, failure } from "../../test/harness";
import { goodDefinition } from "./flows/test-fixtures";

let t: Harness;
beforeAll(async () => {
  t = await createHarness();
});
afterAll(async () => {
  await t.close();
});

async function flowWithVersions(caller: Caller, name: string, versions: number) {
  const flow = await caller.flows.create({ name });
  const published = [];
  for (let i = 1; i <= versions; i++) {
    await caller.flows.saveDraft({ id: flow.id, definition: goodDefinition(`v${i}`) });
    published.push(await caller.flows.publish({ id: flow.id, message: `v${i}` }));
  }
  return { flow, versions: published };
}

describe("deployments", () => {
  it("publish pins the latest (or a chosen) version at the flow's slug; unpublish disables it", async () => {
    const ada = await t.user("Ada");
    const { flow, versions } = await flowWithVersions(ada.caller, "Invoice Bot", 2);
    expect(await ada.caller.deployments.get({ flowId: flow.id })).toBeNull();

    const deployed = await ada.caller.deployments.publish({ flowId: flow.id });
    expect(deployed).toMatchObject({
      flowId: flow.id,
      flowName: "Invoice Bot",
      slug: "invoice-bot",
      versionId: versions[1]?.id,
      versionNumber: 2,
      enabled: true,
      endpoint: "/api/v1/flows/invoice-bot/runs",
    });
    const pinned = await ada.caller.deployments.publish({
      flowId: flow.id,
      versionId: versions[0]?.id,
    });
    expect(pinned).toMatchObject({ id: deployed.id, versionNumber: 1 });
    expect((await ada.caller.flows.get({ id: flow.id })).deployment).toMatchObject({
      id: deployed.id,
      versionId: versions[0]?.id,
      enabled: true,
    });
    expect((await ada.caller.flows.list()).items[0]).toMatchObject({ deployed: true });

    const off = await ada.caller.deployments.unpublish({ flowId: flow.id });
    expect(off).toMatchObject({ id: deployed.id, enabled: false });
    expect((await ada.caller.deployments.unpublish({ flowId: flow.id })).enabled).toBe(false);
    expect((await ada.caller.deployments.list()).map((d) => [d.slug, d.enabled])).toEqual([
      ["invoice-bot", false],
    ]);
    expect(await t.auditActions(ada.orgId)).toEqual(
      expect.arrayContaining([
        "deployment.published",
        "deployment.published",
        "deployment.unpublished",
      ]),
    );
    expect(
      (await t.auditActions(ada.orgId)).filter((a) => a === "deployment.unpublished"),
    ).toHaveLength(1);
  });

  it("refuses a flow without versions, an unknown version and a version of another flow", async () => {
    const ada = await t.user("Ada");
    const draftOnly = await ada.caller.flows.create({ name: "Draft only" });
    expect(
      (await failure(ada.caller.deployments.publish({ flowId: draftOnly.id }))).message,
    ).toMatch(/has no published version; publish one before deploying/);
    const { flow } = await flowWithVersions(ada.caller, "A", 1);
    const { versions: other } = await flowWithVersions(ada.caller, "B", 1);
    expect(
      (
        await failure(
          ada.caller.deployments.publish({ flowId: flow.id, versionId: other[0]?.id ?? "" }),
        )
      ).code,
    ).toBe("NOT_FOUND");
    expect((await failure(ada.caller.deployments.unpublish({ flowId: flow.id }))).code).toBe(
      "NOT_FOUND",
    );
    expect(await ada.caller.deployments.list()).toEqual([]);
  });

  it("deleting a flow removes its deployment and frees the slug", async () => {
    const ada = await t.user("Ada");
    const { flow } = await flowWithVersions(ada.caller, "Reused", 1);
    await ada.caller.deployments.publish({ flowId: flow.id });
    await ada.caller.flows.delete({ id: flow.id });
    expect(await ada.caller.deployments.list()).toEqual([]);
    const { flow: again } = await flowWithVersions(ada.caller, "Reused", 1);
    expect((await ada.caller.deployments.publish({ flowId: again.id })).slug).toBe("reused");
  });

  it("viewers read only; another org's flow and version ids answer NOT_FOUND with no side effect", async () => {
    const ada = await t.user("Ada");
    const vi = await t.user("Vi");
    const eve = await t.user("Eve");
    await t.addMember(ada.orgId, vi.userId, "viewer");
    const { flow, versions } = await flowWithVersions(ada.caller, "Mine", 1);
    await ada.caller.deployments.publish({ flowId: flow.id });
    const before = await t.db.select().from(deployments).where(eq(deployments.flowId, flow.id));

    const asVi = await t.caller({ userId: vi.userId, org: ada.orgId });
    expect(await asVi.deployments.list()).toHaveLength(1);
    expect((await asVi.deployments.get({ flowId: flow.id }))?.slug).toBe("mine");
    expect((await failure(asVi.deployments.publish({ flowId: flow.id }))).code).toBe("FORBIDDEN");
    expect((await failure(asVi.deployments.unpublish({ flowId: flow.id }))).code).toBe("FORBIDDEN");

    const { flow: evesFlow } = await flowWithVersions(eve.caller, "Eve's", 1);
    for (const call of [
      () => eve.caller.deployments.get({ flowId: flow.id }),
      () => eve.caller.deployments.publish({ flowId: flow.id }),
      () => eve.caller.deployments.unpublish({ flowId: flow.id }),
      // Eve's own flow with Ada's version id.
      () =>
        eve.caller.deployments.publish({ flowId: evesFlow.id, versionId: versions[0]?.id ?? "" }),
    ]) {
      expect((await failure(call())).code).toBe("NOT_FOUND");
    }
    expect(await eve.caller.deployments.list()).toEqual([]);
    expect(await t.db.select().from(deployments).where(eq(deployments.flowId, flow.id))).toEqual(
      before,
    );
  });
});
