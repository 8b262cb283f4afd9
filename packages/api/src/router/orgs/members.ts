import type { TRPCRouterRecord } from "@trpc/server";
import { TRPCError } from "@trpc/server";
import { z } from "zod";

import type { AuditEntry, Role, Transaction } from "@runnel/auth";
import { hasRole, revokeApiKeysCreatedBy } from "@runnel/auth";
import { and, eq } from "@runnel/db";
import { memberships, ROLES } from "@runnel/db/schema";

import { orgProcedure } from "../../trpc";

/** Locks the org's owner rows so two concurrent demotions cannot remove the last owner. */
async function ownerCount(tx: Transaction, orgId: string): Promise<number> {
  const owners = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.role, "owner")))
    .for("update");
  return owners.length;
}

async function targetRole(tx: Transaction, orgId: string, userId: string): Promise<Role> {
  const [row] = await tx
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
    .for("update");
  if (!row)
    throw new TRPCError({
      code: "NOT_FOUND",
      message: `User ${userId} is not a member of this org`,
    });
  return row.role;
}

/** Context of a members procedure: the org and its audit writer (see orgProcedure). */
interface MembersCtx {
  org: { id: string };
  audit: (
    db: Transaction,
    entry: Pick<AuditEntry, "action" | "targetType" | "targetId" | "metadata">,
  ) => Promise<void>;
}

/**
 * Only admins create API keys, so a member who is removed or drops below admin loses the keys they created in the
 * org, in the same transaction (docs/auth.md, "Revocation").
 */
async function revokeKeysOf(
  tx: Transaction,
  ctx: MembersCtx,
  userId: string,
  reason: "member_removed" | "role_changed",
): Promise<void> {
  for (const key of await revokeApiKeysCreatedBy(tx, ctx.org.id, userId)) {
    await ctx.audit(tx, {
      action: "api_key.revoked",
      targetType: "api_key",
      targetId: key.id,
      metadata: { name: key.name, prefix: key.prefix, reason, creator: userId },
    });
  }
}

const LAST_OWNER = "An org needs at least one owner: make someone else owner first";

export const membersProcedures = {
  /** Changes a member's role (admin+). Only an owner can grant or take away owner; the last owner stays owner. */
  setRole: orgProcedure("admin")
    .input(z.strictObject({ userId: z.string().min(1), role: z.enum(ROLES) }))
    .mutation(({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
        const current = await targetRole(tx, ctx.org.id, input.userId);
        if (current === input.role) return { userId: input.userId, role: current };
        if ((current === "owner" || input.role === "owner") && ctx.org.role !== "owner") {
          throw new TRPCError({
            code: "FORBIDDEN",
            message: "Only an owner can grant or take away the owner role",
          });
        }
        if (current === "owner" && (await ownerCount(tx, ctx.org.id)) <= 1) {
          throw new TRPCError({ code: "BAD_REQUEST", message: LAST_OWNER });
        }
        await tx
          .update(memberships)
          .set({ role: input.role })
          .where(and(eq(memberships.orgId, ctx.org.id), eq(memberships.userId, input.userId)));
        await ctx.audit(tx, {
          action: "membership.role_changed",
          targetType: "user",
          targetId: input.userId,
          metadata: { from: current, to: input.role },
        });
        if (!hasRole(input.role, "admin"))
          await revokeKeysOf(tx, ctx, input.userId, "role_changed");
        return { userId: input.userId, role: input.role };
      }),
    ),

  /** Removes a member (admin+), or lets any member leave. Only an owner can remove an owner; never the last one. */
  removeMember: orgProcedure("viewer")
    .input(z.strictObject({ userId: z.string().min(1) }))
    .mutation(({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
        const self = ctx.actor.kind === "user" && ctx.actor.userId === input.userId;
        if (!self && !hasRole(ctx.org.role, "admin")) {
          throw new TRPCError({
            code: "FORBIDDEN",
            message: `Removing members needs the admin role or higher in ${ctx.org.name}; you are ${ctx.org.role}`,
          });
        }
        const current = await targetRole(tx, ctx.org.id, input.userId);
        if (current === "owner" && !self && ctx.org.role !== "owner") {
          throw new TRPCError({ code: "FORBIDDEN", message: "Only an owner can remove an owner" });
        }
        if (current === "owner" && (await ownerCount(tx, ctx.org.id)) <= 1) {
          throw new TRPCError({ code: "BAD_REQUEST", message: LAST_OWNER });
        }
        await tx
          .delete(memberships)
          .where(and(eq(memberships.orgId, ctx.org.id), eq(memberships.userId, input.userId)));
        await ctx.audit(tx, {
          action: "membership.removed",
          targetType: "user",
          targetId: input.userId,
          metadata: { role: current, self },
        });
        await revokeKeysOf(tx, ctx, input.userId, "member_removed");
        return { userId: input.userId };
      }),
    ),
} satisfies TRPCRouterRecord;
