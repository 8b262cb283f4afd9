import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { eq } from "@runnel/db";
import { auditLog, memberships, orgs, users } from "@runnel/db/schema";

import type { Harness } from "../../test/harness";
import { createHarness, failure, PASSWORD } from "../../test/harness";

let t: Harness;
beforeAll(async () => {
  t = await createHarness();
});
afterAll(async () => {
  await t.close();
});

async function rowCounts() {
  return {
    users: (await t.db.select().from(users)).length,
    orgs: (await t.db.select().from(orgs)).length,
    memberships: (await t.db.select().from(memberships)).length,
    audit: (await t.db.select().from(auditLog)).length,
  };
}

describe("auth.signUp", () => {
  it("creates the user, a personal org and an owner membership; me.get shows them", async () => {
    const signedOut = await t.caller();
    const { userId } = await signedOut.auth.signUp({
      name: "Ada Lovelace",
      email: "ada@example.com",
      password: PASSWORD,
    });
    const me = await (await t.caller({ userId })).me.get();
    expect(me.user).toEqual({ id: userId, name: "Ada Lovelace", email: "ada@example.com" });
    expect(me.activeOrg).toMatchObject({
      name: "Ada Lovelace's org",
      slug: "ada-lovelace-s-org",
      role: "owner",
    });
    expect(me.orgs).toEqual([me.activeOrg]);
    expect(me.apiKey).toBeNull();
    expect(await t.auditActions(me.activeOrg.id)).toEqual(["org.created", "auth.sign_up"]);
    const [row] = await t.db.select().from(auditLog).where(eq(auditLog.action, "auth.sign_up"));
    expect(row?.actorUserId).toBe(userId);
  });

  it("existing email (any case) → field error on email, no row written", async () => {
    await (
      await t.caller()
    ).auth.signUp({ name: "Bob", email: "bob@example.com", password: PASSWORD });
    const before = await rowCounts();
    const error = await failure(
      (await t.caller()).auth.signUp({
        name: "Bobby",
        email: "BOB@example.com",
        password: PASSWORD,
      }),
    );
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.fieldErrors).toEqual({ email: ["An account with this email already exists"] });
    expect(await rowCounts()).toEqual(before);
  });

  it("weak password → field errors on password, no row written", async () => {
    const before = await rowCounts();
    for (const [password, message] of [
      ["short1", "Password must be at least 10 characters"],
      ["onlyletterslong", "Password must contain a digit"],
      ["1234567890123", "Password must contain a letter"],
    ] as const) {
      const error = await failure(
        (await t.caller()).auth.signUp({ name: "Cy", email: "cy@example.com", password }),
      );
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.fieldErrors?.password).toContain(message);
    }
    expect(await rowCounts()).toEqual(before);
  });

  it("malformed email and empty name → field errors, no row written", async () => {
    const before = await rowCounts();
    const error = await failure(
      (await t.caller()).auth.signUp({ name: " ", email: "not-an-email", password: PASSWORD }),
    );
    expect(error.fieldErrors).toEqual({
      email: ["Enter a valid email address"],
      name: ["Enter your name"],
    });
    expect(await rowCounts()).toEqual(before);
  });

  it("rejects unknown fields such as orgId (strict input)", async () => {
    const before = await rowCounts();
    const input = {
      name: "Dee",
      email: "dee@example.com",
      password: PASSWORD,
      orgId: "someone-elses-org",
    };
    const error = await failure((await t.caller()).auth.signUp(input));
    expect(error.code).toBe("BAD_REQUEST");
    expect(await rowCounts()).toEqual(before);
  });
});
