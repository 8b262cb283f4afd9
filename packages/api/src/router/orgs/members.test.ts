import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { and, eq } from "@runnel/db";
import { memberships } from "@runnel/db/schema";

import type { Harness } from "../../../test/harness";
import { createHarness, failure } from "../../../test/harness";

let t: Harness;
beforeAll(async () => {
  t = await createHarness();
});
afterAll(async () => {
  await t.close();
});

async function roleOf(orgId: string, userId: string) {
  const [row] = await t.db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
  return row?.role ?? null;
}

/** An org owned by Ada with Ann (admin), Ed (editor) and Vi (viewer). */
async function team() {
  const ada = await t.user("Ada");
  const ann = await t.user("Ann");
  const ed = await t.user("Ed");
  const vi = await t.user("Vi");
  await t.addMember(ada.orgId, ann.userId, "admin");
  await t.addMember(ada.orgId, ed.userId, "editor");
  await t.addMember(ada.orgId, vi.userId, "viewer");
  const as = (userId: string) => t.caller({ userId, org: ada.orgId });
  return { orgId: ada.orgId, ada, ann, ed, vi, as };
}

describe("orgs.setRole", () => {
  it("an admin changes an editor's role; the change is audited", async () => {
    const { orgId, ann, ed, as } = await team();
    expect(
      await (await as(ann.userId)).orgs.setRole({ userId: ed.userId, role: "viewer" }),
    ).toEqual({ userId: ed.userId, role: "viewer" });
    expect(await roleOf(orgId, ed.userId)).toBe("viewer");
    expect(await t.auditActions(orgId)).toContain("membership.role_changed");
  });

  it("viewer or editor calling setRole → FORBIDDEN and nothing changes", async () => {
    const { orgId, ed, vi, as } = await team();
    expect(
      (await failure((await as(vi.userId)).orgs.setRole({ userId: ed.userId, role: "admin" })))
        .code,
    ).toBe("FORBIDDEN");
    expect(
      (await failure((await as(ed.userId)).orgs.setRole({ userId: vi.userId, role: "editor" })))
        .code,
    ).toBe("FORBIDDEN");
    expect(await roleOf(orgId, ed.userId)).toBe("editor");
    expect(await roleOf(orgId, vi.userId)).toBe("viewer");
    expect(await t.auditActions(orgId)).not.toContain("membership.role_changed");
  });

  it("only an owner can grant or take away owner", async () => {
    const { orgId, ada, ann, ed, as } = await team();
    const asAnn = await as(ann.userId);
    expect(
      (await failure(asAnn.orgs.setRole({ userId: ed.userId, role: "owner" }))).message,
    ).toMatch(/Only an owner/);
    expect((await failure(asAnn.orgs.setRole({ userId: ada.userId, role: "viewer" }))).code).toBe(
      "FORBIDDEN",
    );
    expect(await roleOf(orgId, ada.userId)).toBe("owner");
    await (await as(ada.userId)).orgs.setRole({ userId: ed.userId, role: "owner" });
    expect(await roleOf(orgId, ed.userId)).toBe("owner");
  });

  it("the last owner cannot be demoted; with a second owner they can", async () => {
    const { orgId, ada, ann, as } = await team();
    const asAda = await as(ada.userId);
    const error = await failure(asAda.orgs.setRole({ userId: ada.userId, role: "admin" }));
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toMatch(/at least one owner/);
    expect(await roleOf(orgId, ada.userId)).toBe("owner");
    await asAda.orgs.setRole({ userId: ann.userId, role: "owner" });
    await asAda.orgs.setRole({ userId: ada.userId, role: "admin" });
    expect(await roleOf(orgId, ada.userId)).toBe("admin");
  });

  it("a user of another org → NOT_FOUND, and their membership is untouched", async () => {
    const { ada, as } = await team();
    const outsider = await t.user("Out");
    expect(
      (
        await failure(
          (await as(ada.userId)).orgs.setRole({ userId: outsider.userId, role: "viewer" }),
        )
      ).code,
    ).toBe("NOT_FOUND");
    expect(
      (await failure((await as(ada.userId)).orgs.removeMember({ userId: outsider.userId }))).code,
    ).toBe("NOT_FOUND");
    expect(await roleOf(outsider.orgId, outsider.userId)).toBe("owner");
  });
});

describe("orgs.removeMember", () => {
  it("an admin removes an editor; audited", async () => {
    const { orgId, ann, ed, as } = await team();
    await (await as(ann.userId)).orgs.removeMember({ userId: ed.userId });
    expect(await roleOf(orgId, ed.userId)).toBeNull();
    expect(await t.auditActions(orgId)).toContain("membership.removed");
  });

  it("a viewer cannot remove others (FORBIDDEN, no change) but can leave", async () => {
    const { orgId, ed, vi, as } = await team();
    expect(
      (await failure((await as(vi.userId)).orgs.removeMember({ userId: ed.userId }))).code,
    ).toBe("FORBIDDEN");
    expect(await roleOf(orgId, ed.userId)).toBe("editor");
    await (await as(vi.userId)).orgs.removeMember({ userId: vi.userId });
    expect(await roleOf(orgId, vi.userId)).toBeNull();
  });

  it("an admin cannot remove an owner; the last owner cannot leave", async () => {
    const { orgId, ada, ann, as } = await team();
    expect(
      (await failure((await as(ann.userId)).orgs.removeMember({ userId: ada.userId }))).code,
    ).toBe("FORBIDDEN");
    expect(
      (await failure((await as(ada.userId)).orgs.removeMember({ userId: ada.userId }))).message,
    ).toMatch(/at least one owner/);
    expect(await roleOf(orgId, ada.userId)).toBe("owner");
  });
});
