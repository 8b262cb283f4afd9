import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { eq } from "@runnel/db";
import { orgs } from "@runnel/db/schema";

import type { Harness } from "../../../test/harness";
import { createHarness, failure } from "../../../test/harness";
import { ORG_COOKIE } from "../../trpc";

let t: Harness;
beforeAll(async () => {
  t = await createHarness();
});
afterAll(async () => {
  await t.close();
});

describe("orgs.list / orgs.create / active org", () => {
  it("creates an org with the caller as owner, lists both orgs, and switches by header or cookie", async () => {
    const ada = await t.user("Ada");
    const team = await ada.caller.orgs.create({ name: "Acme Team" });
    expect(team).toMatchObject({ name: "Acme Team", slug: "acme-team", role: "owner" });
    expect((await ada.caller.orgs.list()).map((o) => o.id)).toEqual([ada.orgId, team.id]);
    expect(await t.auditActions(team.id)).toEqual(["org.created"]);

    // Default: the personal org. Header or cookie pick another org the user belongs to.
    expect((await ada.caller.me.get()).activeOrg.id).toBe(ada.orgId);
    expect(
      (await (await t.caller({ userId: ada.userId, org: team.id })).me.get()).activeOrg,
    ).toEqual({
      id: team.id,
      name: "Acme Team",
      slug: "acme-team",
      role: "owner",
    });
    const viaCookie = await t.caller({
      userId: ada.userId,
      headers: { cookie: `other=1; ${ORG_COOKIE}=${team.id}` },
    });
    expect((await viaCookie.me.get()).activeOrg.id).toBe(team.id);
  });

  it("ignores an org the user is not a member of (falls back to their personal org)", async () => {
    const ada = await t.user("Ada");
    const eve = await t.user("Eve");
    const eveAsksForAda = await t.caller({ userId: eve.userId, org: ada.orgId });
    expect((await eveAsksForAda.me.get()).activeOrg.id).toBe(eve.orgId);
    expect((await eveAsksForAda.orgs.members()).members.map((m) => m.userId)).toEqual([eve.userId]);
  });

  it("a second org with the same name gets its own slug; names are validated", async () => {
    const ada = await t.user("Ada");
    const a = await ada.caller.orgs.create({ name: "Same Name" });
    const b = await ada.caller.orgs.create({ name: "Same Name" });
    expect(a.slug).not.toBe(b.slug);
    const error = await failure(ada.caller.orgs.create({ name: "  " }));
    expect(error.fieldErrors).toEqual({ name: ["Give the org a name"] });
  });

  it("signed out → UNAUTHORIZED; an orgId in the body is rejected and creates nothing", async () => {
    expect((await failure((await t.caller()).orgs.list())).code).toBe("UNAUTHORIZED");
    expect((await failure((await t.caller()).orgs.create({ name: "X" }))).code).toBe(
      "UNAUTHORIZED",
    );
    const ada = await t.user("Ada");
    const before = await t.db.select().from(orgs);
    const error = await failure(
      ada.caller.orgs.create({ name: "Sneaky", orgId: ada.orgId } as never),
    );
    expect(error.code).toBe("BAD_REQUEST");
    expect(await t.db.select().from(orgs)).toEqual(before);
    expect(await t.db.select().from(orgs).where(eq(orgs.name, "Sneaky"))).toEqual([]);
  });

  it("members lists members with roles", async () => {
    const ada = await t.user("Ada");
    const bob = await t.user("Bob");
    await t.addMember(ada.orgId, bob.userId, "viewer");
    const { members, invitations } = await (
      await t.caller({ userId: bob.userId, org: ada.orgId })
    ).orgs.members();
    expect(members.map((m) => [m.userId, m.role])).toEqual([
      [ada.userId, "owner"],
      [bob.userId, "viewer"],
    ]);
    expect(invitations).toEqual([]);
  });
});
