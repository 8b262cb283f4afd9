import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";

import { createOrgWithOwner, listUserOrgs } from "@runnel/auth";
import { and, asc, eq, gt, isNull } from "@runnel/db";
import { invitations, memberships, orgs, users } from "@runnel/db/schema";

import {
  activeOrgFor,
  clientIp,
  orgProcedure,
  protectedProcedure,
  userProcedure,
} from "../../trpc";

export const OrgName = z
  .string()
  .trim()
  .min(1, "Give the org a name")
  .max(100, "Name must be at most 100 characters");

export const orgsProcedures = {
  /** The caller's orgs with their role (an API key sees only its own org). */
  list: protectedProcedure.query(async ({ ctx }) => {
    if (ctx.actor.kind === "apiKey") {
      const org = await activeOrgFor(ctx, ctx.actor);
      return org ? [org] : [];
    }
    return (await listUserOrgs(ctx.db, ctx.actor.userId)).map(({ id, name, slug, role }) => ({
      id,
      name,
      slug,
      role,
    }));
  }),

  /** A new org; the caller becomes its owner. */
  create: userProcedure
    .input(z.strictObject({ name: OrgName }))
    .mutation(async ({ ctx, input }) => {
      const userId = ctx.actor.userId;
      const org = await ctx.db.transaction((tx) =>
        createOrgWithOwner(tx, {
          name: input.name,
          ownerUserId: userId,
          ip: clientIp(ctx.headers),
        }),
      );
      return { id: org.id, name: org.name, slug: org.slug, role: org.role };
    }),

  /** Renames the active org (admins); its slug and id stay as they are. */
  rename: orgProcedure("admin")
    .input(z.strictObject({ name: OrgName }))
    .mutation(({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
        await tx.update(orgs).set({ name: input.name }).where(eq(orgs.id, ctx.org.id));
        await ctx.audit(tx, {
          action: "org.renamed",
          targetType: "org",
          targetId: ctx.org.id,
          metadata: { from: ctx.org.name, to: input.name },
        });
        return { id: ctx.org.id, name: input.name };
      }),
    ),

  /** Members with their role, and pending (unused, unrevoked, unexpired) invitations. */
  members: orgProcedure("viewer").query(async ({ ctx }) => {
    const members = await ctx.db
      .select({
        userId: users.id,
        name: users.name,
        email: users.email,
        role: memberships.role,
        joinedAt: memberships.createdAt,
      })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.orgId, ctx.org.id))
      .orderBy(asc(memberships.createdAt));
    const pending = await ctx.db
      .select({
        id: invitations.id,
        role: invitations.role,
        email: invitations.email,
        expiresAt: invitations.expiresAt,
        createdAt: invitations.createdAt,
      })
      .from(invitations)
      .where(
        and(
          eq(invitations.orgId, ctx.org.id),
          isNull(invitations.acceptedAt),
          isNull(invitations.revokedAt),
          gt(invitations.expiresAt, new Date()),
        ),
      )
      .orderBy(asc(invitations.createdAt));
    return { members, invitations: pending };
  }),
} satisfies TRPCRouterRecord;
