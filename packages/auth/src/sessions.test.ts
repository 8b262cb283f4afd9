import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { TestDb } from "@runnel/db/testing";
import { eq } from "@runnel/db";
import { auditLog, sessions, users } from "@runnel/db/schema";
import { createTestDb } from "@runnel/db/testing";

import { verifyPassword } from "./password";
import {
  createSession,
  isSessionLive,
  revokeSession,
  revokeUserSessions,
  SESSION_MAX_AGE_MS,
  SESSION_UPDATE_AGE_MS,
} from "./sessions";
import { sha256Hex } from "./tokens";
import { changePassword, registerUser, WrongPasswordError } from "./users";

let h: TestDb;
let ada: string;
let bob: string;
beforeAll(async () => {
  h = await createTestDb();
  ({ userId: ada } = await registerUser(h.db, {
    name: "Ada",
    email: "ada@example.com",
    password: "analytical-engine-1",
  }));
  ({ userId: bob } = await registerUser(h.db, {
    name: "Bob",
    email: "bob@example.com",
    password: "difference-engine-2",
  }));
});
afterAll(async () => {
  await h.close();
});

describe("session records", () => {
  it("stores only the SHA-256 of the session id, and a session counts only for its own user", async () => {
    const sid = await createSession(h.db, ada);
    const rows = await h.db.select().from(sessions).where(eq(sessions.userId, ada));
    expect(rows.map((row) => row.sessionToken)).toContain(sha256Hex(sid));
    expect(rows.map((row) => row.sessionToken)).not.toContain(sid);
    expect(await isSessionLive(h.db, sid, ada)).toBe(true);
    expect(await isSessionLive(h.db, sid, bob)).toBe(false);
    expect(await isSessionLive(h.db, `${sid}x`, ada)).toBe(false);
  });

  it("ends one session on revokeSession and leaves the others", async () => {
    const one = await createSession(h.db, ada);
    const two = await createSession(h.db, ada);
    await revokeSession(h.db, one);
    expect(await isSessionLive(h.db, one, ada)).toBe(false);
    expect(await isSessionLive(h.db, two, ada)).toBe(true);
  });

  it("ends every session of a user, or all but one, and never another user's", async () => {
    const a1 = await createSession(h.db, ada);
    const a2 = await createSession(h.db, ada);
    const b1 = await createSession(h.db, bob);
    expect(await revokeUserSessions(h.db, ada, a1)).toBeGreaterThanOrEqual(1);
    expect(await isSessionLive(h.db, a1, ada)).toBe(true);
    expect(await isSessionLive(h.db, a2, ada)).toBe(false);
    await revokeUserSessions(h.db, ada);
    expect(await isSessionLive(h.db, a1, ada)).toBe(false);
    expect(await isSessionLive(h.db, b1, bob)).toBe(true);
  });

  it("expires after 30 days unused; use pushes the expiry forward at most once a day", async () => {
    const start = new Date("2026-01-01T00:00:00Z");
    const sid = await createSession(h.db, bob, start);
    const expiry = async () =>
      (
        await h.db
          .select()
          .from(sessions)
          .where(eq(sessions.sessionToken, sha256Hex(sid)))
      )[0]?.expires;
    expect((await expiry())?.getTime()).toBe(start.getTime() + SESSION_MAX_AGE_MS);

    const soon = new Date(start.getTime() + SESSION_UPDATE_AGE_MS / 2);
    expect(await isSessionLive(h.db, sid, bob, soon)).toBe(true);
    expect((await expiry())?.getTime()).toBe(start.getTime() + SESSION_MAX_AGE_MS);

    const later = new Date(start.getTime() + 2 * SESSION_UPDATE_AGE_MS);
    expect(await isSessionLive(h.db, sid, bob, later)).toBe(true);
    expect((await expiry())?.getTime()).toBe(later.getTime() + SESSION_MAX_AGE_MS);

    const afterExpiry = new Date(later.getTime() + SESSION_MAX_AGE_MS + 1);
    expect(await isSessionLive(h.db, sid, bob, afterExpiry)).toBe(false);
    await createSession(h.db, bob, afterExpiry);
    expect(await expiry()).toBeUndefined();
  });
});

describe("changePassword", () => {
  it("needs the current password, then replaces it and ends the user's other sessions", async () => {
    const { userId } = await registerUser(h.db, {
      name: "Cy",
      email: "cy@example.com",
      password: "first-password-1",
    });
    const here = await createSession(h.db, userId);
    const elsewhere = await createSession(h.db, userId);

    await expect(
      changePassword(h.db, {
        userId,
        currentPassword: "not-the-password-1",
        newPassword: "second-password-2",
        keepSessionId: here,
      }),
    ).rejects.toEqual(new WrongPasswordError("wrong"));
    expect(await isSessionLive(h.db, elsewhere, userId)).toBe(true);

    expect(
      await changePassword(h.db, {
        userId,
        currentPassword: "first-password-1",
        newPassword: "second-password-2",
        keepSessionId: here,
      }),
    ).toEqual({ endedSessions: 1 });
    expect(await isSessionLive(h.db, here, userId)).toBe(true);
    expect(await isSessionLive(h.db, elsewhere, userId)).toBe(false);
    const [user] = await h.db.select().from(users).where(eq(users.id, userId));
    expect(await verifyPassword("second-password-2", user?.passwordHash ?? "")).toBe(true);
    const audit = await h.db.select().from(auditLog).where(eq(auditLog.actorUserId, userId));
    expect(audit.filter((row) => row.action === "auth.password_changed")).toEqual([
      expect.objectContaining({ targetId: userId, metadata: { endedSessions: 1 } }),
    ]);
  });
});
