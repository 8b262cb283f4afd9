import { randomBytes } from "node:crypto";

import { and, asc, eq } from "@runnel/db";
import { memberships, orgs } from "@runnel/db/schema";

import type { DbOrTx } from "./db";
import type { Role } from "./roles";
import { writeAudit } from "./audit";

export interface OrgWithRole {
  id: string;
  name: string;
  slug: string;
  personal: boolean;
  role: Role;
}

/** `"Ada's Team!"` → `ada-s-team`; never empty. */
export function slugify(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/g, "");
  return slug || "org";
}

/** A slug no other org has: the name's slug, or that slug with a short random suffix. */
export async function uniqueOrgSlug(db: DbOrTx, name: string): Promise<string> {
  const base = slugify(name);
  for (let candidate = base, attempt = 0; attempt < 8; attempt++) {
    const [taken] = await db
      .select({ id: orgs.id })
      .from(orgs)
      .where(eq(orgs.slug, candidate))
      .limit(1);
    if (!taken) return candidate;
    candidate = `${base}-${randomBytes(3).toString("hex")}`;
  }
  return `${base}-${randomBytes(8).toString("hex")}`;
}

export interface CreateOrgInput {
  name: string;
  ownerUserId: string;
  personal?: boolean;
  /** Audit actor; defaults to the owner. */
  actorApiKeyId?: string | null;
  /** Client address for the audit row. */
  ip?: string | null;
}

/** Creates an org with its first owner and an `org.created` audit row. Run it inside a transaction. */
export async function createOrgWithOwner(tx: DbOrTx, input: CreateOrgInput): Promise<OrgWithRole> {
  const slug = await uniqueOrgSlug(tx, input.name);
  const [org] = await tx
    .insert(orgs)
    .values({ name: input.name, slug, personal: input.personal ?? false })
    .returning();
  if (!org) throw new Error(`Inserting org "${input.name}" returned no row`);
  await tx.insert(memberships).values({ orgId: org.id, userId: input.ownerUserId, role: "owner" });
  await writeAudit(tx, {
    action: "org.created",
    orgId: org.id,
    actorUserId: input.ownerUserId,
    actorApiKeyId: input.actorApiKeyId ?? null,
    targetType: "org",
    targetId: org.id,
    metadata: { name: org.name, slug: org.slug, personal: org.personal },
    ip: input.ip ?? null,
  });
  return { id: org.id, name: org.name, slug: org.slug, personal: org.personal, role: "owner" };
}

/** The personal org name for a user: "<name>'s org" (or the email's local part when there is no name). */
export function personalOrgName(user: { name?: string | null; email: string }): string {
  const who = user.name?.trim() || user.email.split("@")[0] || "My";
  return `${who}'s org`;
}

/** Every org the user belongs to, oldest membership first (the personal org comes first). */
export async function listUserOrgs(db: DbOrTx, userId: string): Promise<OrgWithRole[]> {
  return db
    .select({
      id: orgs.id,
      name: orgs.name,
      slug: orgs.slug,
      personal: orgs.personal,
      role: memberships.role,
    })
    .from(memberships)
    .innerJoin(orgs, eq(orgs.id, memberships.orgId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(memberships.createdAt), asc(orgs.createdAt), asc(orgs.id));
}

export async function getMembershipRole(
  db: DbOrTx,
  orgId: string,
  userId: string,
): Promise<Role | null> {
  const [row] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
    .limit(1);
  return row?.role ?? null;
}

/**
 * The org a signed-in user acts in: the requested org when they are a member of it, else their oldest
 * membership (the personal org). Null when they belong to no org at all.
 */
export async function resolveActiveOrg(
  db: DbOrTx,
  userId: string,
  requestedOrgId: string | undefined,
): Promise<OrgWithRole | null> {
  const all = await listUserOrgs(db, userId);
  return all.find((org) => org.id === requestedOrgId) ?? all[0] ?? null;
}
