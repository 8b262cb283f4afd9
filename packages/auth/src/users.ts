import type { Database } from "@runnel/db";
import { eq, sql } from "@runnel/db";
import { users } from "@runnel/db/schema";

import type { DbOrTx } from "./db";
import { writeAudit } from "./audit";
import { isUniqueViolation } from "./db";
import { createOrgWithOwner, personalOrgName } from "./orgs";
import { hashPassword, verifyPassword, verifyPasswordAgainstNothing } from "./password";
import { revokeUserSessions } from "./sessions";

export class EmailTakenError extends Error {
  constructor(email: string) {
    super(`An account with the email ${email} already exists`);
    this.name = "EmailTakenError";
  }
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function findUserByEmail(db: DbOrTx, email: string) {
  const [user] = await db
    .select()
    .from(users)
    .where(eq(sql`lower(${users.email})`, normalizeEmail(email)))
    .limit(1);
  return user ?? null;
}

export interface RegisterUserInput {
  name: string;
  email: string;
  password: string;
  ip?: string | null;
}

/**
 * Email + password sign-up: the user, their personal org ("<name>'s org") and the owner membership, in one
 * transaction with an `auth.sign_up` audit row. Throws EmailTakenError when the email is in use.
 */
export async function registerUser(
  db: Database,
  input: RegisterUserInput,
): Promise<{ userId: string; orgId: string }> {
  const email = normalizeEmail(input.email);
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.transaction(async (tx) => {
      if (await findUserByEmail(tx, email)) throw new EmailTakenError(email);
      const [user] = await tx
        .insert(users)
        .values({ name: input.name.trim(), email, passwordHash })
        .returning({ id: users.id });
      if (!user) throw new Error(`Inserting user ${email} returned no row`);
      const org = await createOrgWithOwner(tx, {
        name: personalOrgName({ name: input.name, email }),
        ownerUserId: user.id,
        personal: true,
      });
      await writeAudit(tx, {
        action: "auth.sign_up",
        orgId: org.id,
        actorUserId: user.id,
        targetType: "user",
        targetId: user.id,
        metadata: { method: "password" },
        ip: input.ip ?? null,
      });
      return { userId: user.id, orgId: org.id };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new EmailTakenError(email);
    throw error;
  }
}

export interface AuthorizedUser {
  id: string;
  name: string | null;
  email: string;
}

/**
 * The Credentials provider's check: the user when email and password match, else null (next-auth then fails
 * the sign-in with CredentialsSignin). Unknown emails take as long as wrong passwords.
 */
export async function authorizeCredentials(
  db: DbOrTx,
  credentials: Partial<Record<string, unknown>>,
): Promise<AuthorizedUser | null> {
  const { email, password } = credentials;
  if (
    typeof email !== "string" ||
    typeof password !== "string" ||
    !email ||
    !password ||
    password.length > 1024
  ) {
    return null;
  }
  const user = await findUserByEmail(db, email);
  if (!user?.passwordHash) {
    await verifyPasswordAgainstNothing(password);
    return null;
  }
  if (!(await verifyPassword(password, user.passwordHash))) return null;
  return { id: user.id, name: user.name, email: user.email };
}

/** The current password given to changePassword is wrong (or the account has none: OAuth only). */
export class WrongPasswordError extends Error {
  constructor(readonly reason: "wrong" | "none") {
    super(
      reason === "wrong"
        ? "The current password is wrong"
        : "This account has no password (it signs in with GitHub or Google)",
    );
    this.name = "WrongPasswordError";
  }
}

export interface ChangePasswordInput {
  userId: string;
  currentPassword: string;
  newPassword: string;
  /** The session making the change stays signed in; every other session of the user ends. */
  keepSessionId?: string;
  ip?: string | null;
}

/**
 * Replaces a user's password after checking the current one, ends their other sessions and writes an
 * `auth.password_changed` audit row, in one transaction. Throws WrongPasswordError.
 */
export async function changePassword(
  db: Database,
  input: ChangePasswordInput,
): Promise<{ endedSessions: number }> {
  const [user] = await db
    .select({ passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.id, input.userId))
    .limit(1);
  if (!user?.passwordHash) {
    await verifyPasswordAgainstNothing(input.currentPassword);
    throw new WrongPasswordError("none");
  }
  if (!(await verifyPassword(input.currentPassword, user.passwordHash)))
    throw new WrongPasswordError("wrong");
  const passwordHash = await hashPassword(input.newPassword);
  return db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash }).where(eq(users.id, input.userId));
    const endedSessions = await revokeUserSessions(tx, input.userId, input.keepSessionId);
    await writeAudit(tx, {
      action: "auth.password_changed",
      actorUserId: input.userId,
      targetType: "user",
      targetId: input.userId,
      metadata: { endedSessions },
      ip: input.ip ?? null,
    });
    return { endedSessions };
  });
}
