import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { TestDb } from "@runnel/db/testing";
import { eq } from "@runnel/db";
import { memberships, orgs } from "@runnel/db/schema";
import { createTestDb } from "@runnel/db/testing";

import {
  createOrgWithOwner,
  getMembershipRole,
  listUserOrgs,
  resolveActiveOrg,
  slugify,
} from "./orgs";
import { hasRole } from "./roles";
import { registerUser } from "./users";

let h: TestDb;
beforeAll(async () => {
  h = await createTestDb();
});
afterAll(async () => {
  await h.close();
});

describe("roles", () => {
  it("orders viewer < editor < admin < owner", () => {
    expect(hasRole("owner", "admin")).toBe(true);
    expect(hasRole("admin", "admin")).toBe(true);
    expect(hasRole("editor", "admin")).toBe(false);
    expect(hasRole("viewer", "editor")).toBe(false);
  });
});

describe("slugify", () => {
  it("makes URL-safe slugs and never an empty one", () => {
    expect(slugify("Ada's Team!")).toBe("ada-s-team");
    expect(slugify("Café Über")).toBe("cafe-uber");
    expect(slugify("???")).toBe("org");
  });
});

describe("orgs and memberships", () => {
  it("creates an org with its owner; the active org follows the request only for members", async () => {
    const ada = await registerUser(h.db, {
      name: "Ada",
      email: "ada@example.com",
      password: "password-123",
    });
    const eve = await registerUser(h.db, {
      name: "Eve",
      email: "eve@example.com",
      password: "password-123",
    });
    const team = await h.db.transaction((tx) =>
      createOrgWithOwner(tx, { name: "Team", ownerUserId: ada.userId }),
    );
    expect(team).toMatchObject({ name: "Team", slug: "team", role: "owner", personal: false });
    expect(await getMembershipRole(h.db, team.id, ada.userId)).toBe("owner");
    expect(await getMembershipRole(h.db, team.id, eve.userId)).toBeNull();

    expect((await listUserOrgs(h.db, ada.userId)).map((o) => o.id)).toEqual([ada.orgId, team.id]);
    expect((await resolveActiveOrg(h.db, ada.userId, team.id))?.id).toBe(team.id);
    expect((await resolveActiveOrg(h.db, ada.userId, undefined))?.id).toBe(ada.orgId);
    // Eve asking for Ada's org falls back to her own personal org.
    expect((await resolveActiveOrg(h.db, eve.userId, team.id))?.id).toBe(eve.orgId);
  });

  it("answers null for a user without any membership (fail closed)", async () => {
    const ada = await registerUser(h.db, {
      name: "Ann",
      email: "ann@example.com",
      password: "password-123",
    });
    await h.db.delete(memberships).where(eq(memberships.userId, ada.userId));
    expect(await resolveActiveOrg(h.db, ada.userId, ada.orgId)).toBeNull();
    expect(await h.db.select().from(orgs).where(eq(orgs.id, ada.orgId))).toHaveLength(1);
  });
});
