import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Harness } from "../../../test/harness";
import { createHarness, failure } from "../../../test/harness";

let t: Harness;
beforeAll(async () => {
  t = await createHarness();
});
afterAll(async () => {
  await t.close();
});

describe("orgs.rename", () => {
  it("renames the active org for admins (slug kept, audited); editors are FORBIDDEN; a blank name is a field error", async () => {
    const ada = await t.user("Ada");
    const team = await ada.caller.orgs.create({ name: "Acme Team" });
    const asOwner = await t.caller({ userId: ada.userId, org: team.id });
    const eve = await t.user("Eve");
    await t.addMember(team.id, eve.userId, "editor");
    const asEditor = await t.caller({ userId: eve.userId, org: team.id });

    expect(await asOwner.orgs.rename({ name: "  Acme Inc " })).toEqual({
      id: team.id,
      name: "Acme Inc",
    });
    expect((await asOwner.me.get()).activeOrg).toMatchObject({
      name: "Acme Inc",
      slug: "acme-team",
    });
    expect(await t.auditActions(team.id)).toContain("org.renamed");

    expect((await failure(asEditor.orgs.rename({ name: "Mine" }))).code).toBe("FORBIDDEN");
    const blank = await failure(asOwner.orgs.rename({ name: "   " }));
    expect(blank.code).toBe("BAD_REQUEST");
    expect(Object.keys(blank.fieldErrors ?? {})).toEqual(["name"]);
  });
});
