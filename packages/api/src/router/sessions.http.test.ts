/**
 * Revocable sessions over real HTTP (docs/auth.md, "Sessions" and "Revocation"): next-auth's route handlers and the
 * tRPC fetch adapter behind one loopback server, wired as apps/web wires them (session from `auth()`, then
 * sessionUserOf). A browser is a cookie jar.
 */
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { eq } from "@runnel/db";
import { auditLog } from "@runnel/db/schema";

import type { Harness } from "../../test/harness";
import type { LoopbackServer } from "../rest/serve.fixtures";
import type { AppRouter } from "../root";
import { createHarness, PASSWORD } from "../../test/harness";
import { CookieBrowser, serveSignedInApp } from "../../test/signed-in-server";
import { transformer } from "../transformer";
import { ORG_HEADER } from "../trpc";

let t: Harness;
let server: LoopbackServer;

beforeAll(async () => {
  t = await createHarness();
  server = await serveSignedInApp({ db: t.db, encryptionKey: t.encryptionKey });
});
afterAll(async () => {
  await server.close();
  await t.close();
});

/** A browser with a tRPC client sending its cookies (and any extra headers). */
class Browser extends CookieBrowser {
  headers: Record<string, string> = {};

  constructor() {
    super(() => server.url);
  }

  get trpc() {
    return createTRPCClient<AppRouter>({
      links: [
        httpLink({
          url: `${server.url}/api/trpc`,
          transformer,
          headers: () => ({ cookie: this.cookie(), ...this.headers }),
        }),
      ],
    });
  }
}

/** The HTTP status a tRPC call answered with (200 when it succeeded). */
async function status(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (error) {
    if (error instanceof TRPCClientError) {
      const data = (error as TRPCClientError<AppRouter>).data;
      return data?.httpStatus ?? 0;
    }
    throw error;
  }
}

async function account(name: string) {
  const email = `${name.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const user = await t.user(name, email);
  return { ...user, email };
}

describe("sessions end on the next request (real HTTP)", () => {
  it("refuses a cookie copied before sign-out (401), while another browser stays signed in", async () => {
    const ada = await account("Ada");
    const browser = new Browser();
    const other = new Browser();
    await browser.signIn(ada.email);
    await other.signIn(ada.email);
    const copied = new Browser();
    for (const [name, value] of browser.jar) copied.jar.set(name, value);
    expect(await copied.trpc.me.get.query()).toMatchObject({ user: { id: ada.userId } });

    const response = await browser.signOut();
    expect(response.status).toBe(302);
    expect(browser.jar.has("authjs.session-token")).toBe(false);

    expect(await status(copied.trpc.me.get.query())).toBe(401);
    expect(await status(other.trpc.me.get.query())).toBe(200);
  });

  it("signOutEverywhere ends every session of the user, the caller's included", async () => {
    const bob = await account("Bob");
    const laptop = new Browser();
    const phone = new Browser();
    await laptop.signIn(bob.email);
    await phone.signIn(bob.email);
    expect(await laptop.trpc.auth.signOutEverywhere.mutate()).toEqual({ endedSessions: 2 });
    expect(await status(laptop.trpc.me.get.query())).toBe(401);
    expect(await status(phone.trpc.me.get.query())).toBe(401);
    const audit = await t.db.select().from(auditLog).where(eq(auditLog.actorUserId, bob.userId));
    expect(audit.filter((row) => row.action === "auth.sessions_ended")).toEqual([
      expect.objectContaining({ metadata: { endedSessions: 2 } }),
    ]);
  });

  it("changePassword checks the current password, keeps this browser and ends the others", async () => {
    const cy = await account("Cy");
    const here = new Browser();
    const elsewhere = new Browser();
    await here.signIn(cy.email);
    await elsewhere.signIn(cy.email);

    await expect(
      here.trpc.auth.changePassword.mutate({
        currentPassword: "not-my-password-1",
        newPassword: "a-new-password-2",
      }),
    ).rejects.toThrow("The current password is wrong");
    await expect(
      here.trpc.auth.changePassword.mutate({ currentPassword: PASSWORD, newPassword: "short1" }),
    ).rejects.toThrow("at least 10 characters");
    expect(await status(elsewhere.trpc.me.get.query())).toBe(200);

    expect(
      await here.trpc.auth.changePassword.mutate({
        currentPassword: PASSWORD,
        newPassword: "a-new-password-2",
      }),
    ).toEqual({ endedSessions: 1 });
    expect(await status(here.trpc.me.get.query())).toBe(200);
    expect(await status(elsewhere.trpc.me.get.query())).toBe(401);

    const again = new Browser();
    await again.signIn(cy.email, "a-new-password-2");
    expect(await status(again.trpc.me.get.query())).toBe(200);
  });

  it("a demoted admin loses admin powers on the next request, and the keys they created", async () => {
    const owner = await account("Olga");
    const admin = await account("Abe");
    await t.addMember(owner.orgId, admin.userId, "admin");
    const abe = new Browser();
    await abe.signIn(admin.email);
    abe.headers = { [ORG_HEADER]: owner.orgId };
    const { key } = await abe.trpc.apiKeys.create.mutate({ name: "abe's key" });
    const keyClient = new Browser();
    keyClient.headers = { authorization: `Bearer ${key}` };
    expect(await status(keyClient.trpc.me.get.query())).toBe(200);

    const olga = new Browser();
    await olga.signIn(owner.email);
    await olga.trpc.orgs.setRole.mutate({ userId: admin.userId, role: "viewer" });

    expect(await status(abe.trpc.apiKeys.create.mutate({ name: "another" }))).toBe(403);
    expect(await abe.trpc.me.get.query()).toMatchObject({
      activeOrg: { id: owner.orgId, role: "viewer" },
    });
    expect(await status(keyClient.trpc.me.get.query())).toBe(401);
  });

  it("a removed member is out of the org on the next request", async () => {
    const owner = await account("Pia");
    const member = await account("Max");
    await t.addMember(owner.orgId, member.userId, "editor");
    const max = new Browser();
    await max.signIn(member.email);
    max.headers = { [ORG_HEADER]: owner.orgId };
    expect(await max.trpc.me.get.query()).toMatchObject({ activeOrg: { id: owner.orgId } });
    const before = await max.trpc.orgs.members.query();
    expect(before.members.map((m) => m.userId)).toContain(owner.userId);

    const pia = new Browser();
    await pia.signIn(owner.email);
    await pia.trpc.orgs.removeMember.mutate({ userId: member.userId });

    const me = await max.trpc.me.get.query();
    expect(me.activeOrg.id).toBe(member.orgId);
    expect(me.orgs.map((org) => org.id)).not.toContain(owner.orgId);
    const after = await max.trpc.orgs.members.query();
    expect(after.members.map((m) => m.userId)).not.toContain(owner.userId);
  });
});
