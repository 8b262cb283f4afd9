import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createSmtpMailer, sha256Hex } from "@runnel/auth";
import { and, eq } from "@runnel/db";
import { invitations, memberships } from "@runnel/db/schema";

import type { Harness } from "../../../test/harness";
import { APP_URL, createHarness, failure } from "../../../test/harness";

const mails: { to: string[]; body: string }[] = [];
let smtp: SMTPServer;
let t: Harness;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        // Undo quoted-printable soft line breaks so long links can be matched.
        const body = Buffer.concat(chunks)
          .toString("utf8")
          .replace(/=\r?\n/g, "");
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), body });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  const { port } = smtp.server.address() as AddressInfo;
  t = await createHarness({
    mailer: createSmtpMailer({
      url: `smtp://127.0.0.1:${port}?ignoreTLS=true`,
      from: "runnel@localhost",
    }),
  });
});
afterAll(async () => {
  await t.close();
  await new Promise<void>((resolve) => smtp.close(resolve));
});

async function roleOf(orgId: string, userId: string) {
  const [row] = await t.db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
  return row?.role ?? null;
}

describe("invites", () => {
  it("an admin invites by link; the link is previewed, accepted once, and audited", async () => {
    const ada = await t.user("Ada");
    const bob = await t.user("Bob");
    const invite = await ada.caller.orgs.invite({ role: "editor" });
    expect(invite.url).toBe(`${APP_URL}/invite/${invite.token}`);
    expect(invite.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(invite.expiresAt.getTime()).toBeGreaterThan(Date.now() + 6 * 24 * 3600 * 1000);
    expect(invite.mailed).toBe(false);
    // Only the hash is stored.
    const [stored] = await t.db.select().from(invitations).where(eq(invitations.id, invite.id));
    expect(stored?.tokenHash).toBe(sha256Hex(invite.token));
    expect(JSON.stringify(stored)).not.toContain(invite.token);

    expect((await ada.caller.orgs.members()).invitations.map((i) => i.id)).toEqual([invite.id]);
    const preview = await (await t.caller()).orgs.invitePreview({ token: invite.token });
    expect(preview).toMatchObject({ orgName: "Ada's org", role: "editor" });

    const accepted = await bob.caller.orgs.acceptInvite({ token: invite.token });
    expect(accepted.org).toMatchObject({ id: ada.orgId, role: "editor" });
    expect(await roleOf(ada.orgId, bob.userId)).toBe("editor");
    expect(await t.auditActions(ada.orgId)).toEqual(
      expect.arrayContaining(["membership.invited", "membership.joined"]),
    );
    expect((await ada.caller.orgs.members()).invitations).toEqual([]);

    // Single use: a third user cannot use it again.
    const cy = await t.user("Cy");
    expect(await failure(cy.caller.orgs.acceptInvite({ token: invite.token }))).toMatchObject({
      code: "BAD_REQUEST",
      message: "This invite has already been used",
    });
    expect(await roleOf(ada.orgId, cy.userId)).toBeNull();
    expect(
      (await failure((await t.caller()).orgs.invitePreview({ token: invite.token }))).message,
    ).toBe("This invite has already been used");
  });

  it("two users accepting the same link at once: exactly one joins", async () => {
    const ada = await t.user("Ada");
    const bob = await t.user("Bob");
    const cy = await t.user("Cy");
    const invite = await ada.caller.orgs.invite({ role: "viewer" });
    const results = await Promise.allSettled([
      bob.caller.orgs.acceptInvite({ token: invite.token }),
      cy.caller.orgs.acceptInvite({ token: invite.token }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const joined = [await roleOf(ada.orgId, bob.userId), await roleOf(ada.orgId, cy.userId)];
    expect(joined.filter((role) => role === "viewer")).toHaveLength(1);
  });

  it("an expired invite fails with a clear message and adds no member", async () => {
    const ada = await t.user("Ada");
    const bob = await t.user("Bob");
    const invite = await ada.caller.orgs.invite({ role: "viewer" });
    await t.db
      .update(invitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(invitations.id, invite.id));
    expect((await failure(bob.caller.orgs.acceptInvite({ token: invite.token }))).message).toMatch(
      /^This invite expired on /,
    );
    expect(await roleOf(ada.orgId, bob.userId)).toBeNull();
  });

  it("a revoked invite stops working; an unknown token is NOT_FOUND", async () => {
    const ada = await t.user("Ada");
    const bob = await t.user("Bob");
    const invite = await ada.caller.orgs.invite({ role: "viewer" });
    await ada.caller.orgs.revokeInvite({ id: invite.id });
    expect((await failure(bob.caller.orgs.acceptInvite({ token: invite.token }))).message).toBe(
      "This invite was revoked",
    );
    expect((await failure(bob.caller.orgs.acceptInvite({ token: "x".repeat(43) }))).code).toBe(
      "NOT_FOUND",
    );
    expect(await roleOf(ada.orgId, bob.userId)).toBeNull();
  });

  it("mails the link when an email is given and SMTP is configured; only that email may accept", async () => {
    const ada = await t.user("Ada");
    const bob = await t.user("Bob", "bob.invited@example.com");
    const eve = await t.user("Eve");
    const invite = await ada.caller.orgs.invite({
      role: "admin",
      email: "Bob.Invited@example.com",
    });
    expect(invite.mailed).toBe(true);
    const mail = mails.find((m) => m.to.includes("bob.invited@example.com"));
    expect(mail?.body).toContain(invite.url);
    expect((await failure(eve.caller.orgs.acceptInvite({ token: invite.token }))).code).toBe(
      "FORBIDDEN",
    );
    await bob.caller.orgs.acceptInvite({ token: invite.token });
    expect(await roleOf(ada.orgId, bob.userId)).toBe("admin");
  });

  it("when the SMTP server is unreachable the invite still stands, with mailed false and the reason", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const broken = await createHarness({
      mailer: createSmtpMailer({
        url: `smtp://127.0.0.1:${port}?ignoreTLS=true`,
        from: "runnel@localhost",
      }),
    });
    try {
      const ada = await broken.user("Ada");
      const invite = await ada.caller.orgs.invite({ role: "viewer", email: "nobody@example.com" });
      expect(invite.mailed).toBe(false);
      expect(invite.mailError).toMatch(
        /^The invite mail to nobody@example.com could not be sent: /,
      );
      expect((await ada.caller.orgs.members()).invitations.map((i) => i.id)).toEqual([invite.id]);
    } finally {
      await broken.close();
    }
  });

  it("viewer or editor inviting → FORBIDDEN and no invitation row; only an owner can invite an owner", async () => {
    const ada = await t.user("Ada");
    const ed = await t.user("Ed");
    const ann = await t.user("Ann");
    await t.addMember(ada.orgId, ed.userId, "editor");
    await t.addMember(ada.orgId, ann.userId, "admin");
    const before = await t.db.select().from(invitations).where(eq(invitations.orgId, ada.orgId));
    const asEd = await t.caller({ userId: ed.userId, org: ada.orgId });
    expect((await failure(asEd.orgs.invite({ role: "viewer" }))).code).toBe("FORBIDDEN");
    const asAnn = await t.caller({ userId: ann.userId, org: ada.orgId });
    expect((await failure(asAnn.orgs.invite({ role: "owner" }))).code).toBe("FORBIDDEN");
    expect(await t.db.select().from(invitations).where(eq(invitations.orgId, ada.orgId))).toEqual(
      before,
    );
  });

  it("revoking another org's invite → NOT_FOUND and it keeps working", async () => {
    const ada = await t.user("Ada");
    const eve = await t.user("Eve");
    const bob = await t.user("Bob");
    const invite = await ada.caller.orgs.invite({ role: "viewer" });
    expect((await failure(eve.caller.orgs.revokeInvite({ id: invite.id }))).code).toBe("NOT_FOUND");
    await bob.caller.orgs.acceptInvite({ token: invite.token });
    expect(await roleOf(ada.orgId, bob.userId)).toBe("viewer");
  });

  it("already a member → CONFLICT without using up the invite", async () => {
    const ada = await t.user("Ada");
    const bob = await t.user("Bob");
    await t.addMember(ada.orgId, bob.userId, "viewer");
    const invite = await ada.caller.orgs.invite({ role: "editor" });
    expect((await failure(bob.caller.orgs.acceptInvite({ token: invite.token }))).code).toBe(
      "CONFLICT",
    );
    expect((await ada.caller.orgs.members()).invitations.map((i) => i.id)).toEqual([invite.id]);
  });
});
