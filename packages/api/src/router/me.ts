import type { TRPCRouterRecord } from "@trpc/server";
import { TRPCError } from "@trpc/server";

import { listUserOrgs } from "@runnel/auth";
import { eq } from "@runnel/db";
import { users } from "@runnel/db/schema";

import { activeOrgFor, protectedProcedure } from "../trpc";

export const meRouter = {
  /**
   * Who is calling and in which org. For an API key: the user who created it, the key's org (role editor) as the
   * only org, and `apiKey` set.
   */
  get: protectedProcedure.query(async ({ ctx }) => {
    const userId = ctx.actor.kind === "user" ? ctx.actor.userId : ctx.actor.createdBy;
    const [user] = userId
      ? await ctx.db
          .select({ id: users.id, name: users.name, email: users.email })
          .from(users)
          .where(eq(users.id, userId))
          .limit(1)
      : [];
    if (!user)
      throw new TRPCError({ code: "UNAUTHORIZED", message: "The signed-in user no longer exists" });
    const activeOrg = await activeOrgFor(ctx, ctx.actor);
    if (!activeOrg)
      throw new TRPCError({ code: "FORBIDDEN", message: "You are not a member of any org" });
    const orgs =
      ctx.actor.kind === "user"
        ? (await listUserOrgs(ctx.db, ctx.actor.userId)).map(({ id, name, slug, role }) => ({
            id,
            name,
            slug,
            role,
          }))
        : [activeOrg];
    const apiKey =
      ctx.actor.kind === "apiKey"
        ? { id: ctx.actor.key.id, name: ctx.actor.key.name, prefix: ctx.actor.key.prefix }
        : null;
    return { user, activeOrg, orgs, apiKey };
  }),
} satisfies TRPCRouterRecord;
