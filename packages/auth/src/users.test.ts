import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { TestDb } from "@runnel/db/testing";
import { eq } from "@runnel/db";
import { auditLog, memberships, orgs, users } from "@runnel/db/schema";
import { createTestDb } from "@runnel/db/testing";

import { authorizeCredentials, EmailTakenError, registerUser } from "./users";

let h: TestDb;
beforeAll(async () => {
  h = await createTestDb();
});
afterAll(async () => {
  await h.close();
});

describe("registerUser", () => {
  it("creates the user, a personal org and the owner membership, with an audit row", async () => {
    const { userId, orgId } = await registerUser(h.db, {
      name: "Ada",
      email: " Ada@Example.com ",
      password: "analytical-engine-1",
    });
    const [user] = await h.db.select().from(users).where(eq(users.id, userId));
    expect(user?.email).toBe("ada@example.com");
    expect(user?.passwordHash).toMatch(/^scrypt\$/);
    expect(user?.passwordHash).not.toContain("analytical");
    const [org] = await h.db.select().from(orgs).where(eq(orgs.id, orgId));
    expect(org).toMatchObject({ name: "Ada's org", slug: "ada-s-org", personal: true });
    expect(await h.db.select().from(memberships).where(eq(memberships.userId, userId))).toEqual([
      expect.objectContaining({ orgId, role: "owner" }),
    ]);
    const actions = (await h.db.select().from(auditLog).where(eq(auditLog.actorUserId, userId)))
      .map((row) => row.action)
      .sort();
    expect(actions).toEqual(["auth.sign_up", "org.created"]);
  });

  it("refuses an email already in use (any case) and writes nothing", async () => {
    await registerUser(h.db, {
      name: "Bob",
      email: "bob@example.com",
      password: "analytical-engine-1",
    });
    const usersBefore = await h.db.select().from(users);
    const orgsBefore = await h.db.select().from(orgs);
    await expect(
      registerUser(h.db, { name: "Eve", email: "BOB@example.com", password: "another-pass-2" }),
    ).rejects.toBeInstanceOf(EmailTakenError);
    expect(await h.db.select().from(users)).toEqual(usersBefore);
    expect(await h.db.select().from(orgs)).toEqual(orgsBefore);
  });

  it("gives two users with the same name distinct org slugs", async () => {
    const a = await registerUser(h.db, {
      name: "Sam",
      email: "sam1@example.com",
      password: "password-123",
    });
    const b = await registerUser(h.db, {
      name: "Sam",
      email: "sam2@example.com",
      password: "password-123",
    });
    const slugs = (await h.db.select().from(orgs))
      .filter((o) => [a.orgId, b.orgId].includes(o.id))
      .map((o) => o.slug);
    expect(new Set(slugs).size).toBe(2);
    expect(slugs).toContain("sam-s-org");
  });
});

describe("authorizeCredentials (the next-auth credentials provider's authorize)", () => {
  beforeAll(async () => {
    await registerUser(h.db, {
      name: "Cy",
      email: "cy@example.com",
      password: "analytical-engine-1",
    });
  });

  it("returns the user for the correct password (email in any case)", async () => {
    expect(
      await authorizeCredentials(h.db, {
        email: "CY@example.com",
        password: "analytical-engine-1",
      }),
    ).toMatchObject({
      name: "Cy",
      email: "cy@example.com",
    });
  });

  it("returns null for a wrong password, an unknown email or missing fields", async () => {
    expect(
      await authorizeCredentials(h.db, {
        email: "cy@example.com",
        password: "analytical-engine-2",
      }),
    ).toBeNull();
    expect(
      await authorizeCredentials(h.db, {
        email: "nobody@example.com",
        password: "analytical-engine-1",
      }),
    ).toBeNull();
    expect(await authorizeCredentials(h.db, { email: "cy@example.com" })).toBeNull();
    expect(
      await authorizeCredentials(h.db, {
        email: ["cy@example.com"],
        password: "analytical-engine-1",
      }),
    ).toBeNull();
  });
});
