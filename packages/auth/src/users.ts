import type { Database } from "@runnel/db";
import { eq, sql } from "@runnel/db";
import { users } from "@runnel/db/schema";

import type { DbOrTx } from "./db";
import { writeAudit } from "./audit";
import { isUniqueViolation } from "./db";
import { createOrgWithOwner, personalOrgName } from "./orgs";
import { hashPassword, verifyPassword, verifyPasswordAgainstNothing } from "./password";

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
