import { randomBytes } from "node:crypto";

import { and, eq, lt, ne } from "@runnel/db";
import { sessions } from "@runnel/db/schema";

import type { DbOrTx } from "./db";
import { sha256Hex } from "./tokens";

/**
 * Server-side session records behind next-auth's JWT cookie (docs/auth.md, "Sessions"). The cookie carries a
 * random session id; the `sessions` table holds its SHA-256, the user and an expiry. A cookie whose id has no
 * live row is refused, so deleting rows signs browsers out on their next request.
 */

/** How long an unused session lives (next-auth's default maxAge: 30 days). */
export const SESSION_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;
/** A used session's expiry is pushed forward at most once per this interval (next-auth's default updateAge). */
export const SESSION_UPDATE_AGE_MS = 24 * 60 * 60 * 1000;

export function newSessionId(): string {
  return randomBytes(32).toString("base64url");
}

function key(sessionId: string): string {
  return sha256Hex(sessionId);
}

/** Records a new session for `userId` and drops that user's expired ones. */
export async function createSession(db: DbOrTx, userId: string, now = new Date()): Promise<string> {
  const sessionId = newSessionId();
  await db.delete(sessions).where(and(eq(sessions.userId, userId), lt(sessions.expires, now)));
  await db.insert(sessions).values({
    sessionToken: key(sessionId),
    userId,
    expires: new Date(now.getTime() + SESSION_MAX_AGE_MS),
  });
  return sessionId;
}

/**
 * True when `sessionId` is a live session of `userId`: one primary-key read per request. A session in use gets its
 * expiry moved forward (one extra write, at most once a day per session).
 */
export async function isSessionLive(
  db: DbOrTx,
  sessionId: string,
  userId: string,
  now = new Date(),
): Promise<boolean> {
  const [row] = await db
    .select({ userId: sessions.userId, expires: sessions.expires })
    .from(sessions)
    .where(eq(sessions.sessionToken, key(sessionId)))
    .limit(1);
  if (row?.userId !== userId || row.expires.getTime() <= now.getTime()) return false;
  const refreshed = now.getTime() + SESSION_MAX_AGE_MS;
  if (refreshed - row.expires.getTime() >= SESSION_UPDATE_AGE_MS) {
    await db
      .update(sessions)
      .set({ expires: new Date(refreshed) })
      .where(eq(sessions.sessionToken, key(sessionId)));
  }
  return true;
}

/** Ends one session (sign-out). */
export async function revokeSession(db: DbOrTx, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.sessionToken, key(sessionId)));
}

/**
 * Ends every session of `userId`, or every one but `keepSessionId` (password change keeps the browser that made
 * it). Returns how many were ended.
 */
export async function revokeUserSessions(
  db: DbOrTx,
  userId: string,
  keepSessionId?: string,
): Promise<number> {
  const ended = await db
    .delete(sessions)
    .where(
      keepSessionId === undefined
        ? eq(sessions.userId, userId)
        : and(eq(sessions.userId, userId), ne(sessions.sessionToken, key(keepSessionId))),
    )
    .returning({ sessionToken: sessions.sessionToken });
  return ended.length;
}
