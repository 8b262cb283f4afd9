import type { TRPCRouterRecord } from "@trpc/server";
import { TRPCError } from "@trpc/server";
import { z } from "zod";

import type { DbOrTx } from "@runnel/auth";
import {
  generateToken,
  getMembershipRole,
  inviteMail,
  normalizeEmail,
  sha256Hex,
  writeAudit,
} from "@runnel/auth";
import { and, eq, gt, isNull } from "@runnel/db";
import { invitations, memberships, orgs, ROLES, users } from "@runnel/db/schema";

import { clientIp, orgProcedure, publicProcedure, userProcedure } from "../../trpc";

/** How long an invite link works. */
export const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

const Token = z.string().min(1, "The invite token is missing").max(200);

/** The invite behind a token, or a clear error: unknown, revoked, used or expired. */
async function usableInvite(db: DbOrTx, token: string) {
  const [row] = await db
    .select({ invite: invitations, orgName: orgs.name, orgSlug: orgs.slug })
    .from(invitations)
    .innerJoin(orgs, eq(orgs.id, invitations.orgId))
    .where(eq(invitations.tokenHash, sha256Hex(token)))
    .limit(1);
  if (!row) throw new TRPCError({ code: "NOT_FOUND", message: "This invite link is not valid" });
  const { invite } = row;
  if (invite.revokedAt)
    throw new TRPCError({ code: "BAD_REQUEST", message: "This invite was revoked" });
  if (invite.acceptedAt)
    throw new TRPCError({ code: "BAD_REQUEST", message: "This invite has already been used" });
  if (invite.expiresAt.getTime() <= Date.now()) {
    throw new TRPCError({
      code: "BAD_REQUEST",
      message: `This invite expired on ${invite.expiresAt.toISOString()}`,
    });
  }
  return row;
}

export const invitesProcedures = {
  /**
   * An invite link for a role (admin+; only an owner may invite an owner). The token is returned once (only its
   * hash is stored); with an email and a configured mailer the link is also mailed, and only that email may use it.
   */
  invite: orgProcedure("admin")
    .input(
      z.strictObject({
        role: z.enum(ROLES),
        email: z.email("Enter a valid email address").optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      if (input.role === "owner" && ctx.org.role !== "owner") {
        throw new TRPCError({
          code: "FORBIDDEN",
          message: "Only an owner can invite another owner",
        });
      }
      const token = generateToken();
      const expiresAt = new Date(Date.now() + INVITE_TTL_MS);
      const email = input.email ? normalizeEmail(input.email) : null;
      const invitedBy = ctx.actor.kind === "user" ? ctx.actor.userId : ctx.actor.createdBy;
      const id = await ctx.db.transaction(async (tx) => {
        const [row] = await tx
          .insert(invitations)
          .values({
            orgId: ctx.org.id,
            tokenHash: sha256Hex(token),
            role: input.role,
            email,
            invitedBy,
            expiresAt,
          })
          .returning({ id: invitations.id });
        if (!row) throw new Error("Inserting the invitation returned no row");
        await ctx.audit(tx, {
          action: "membership.invited",
          targetType: "invitation",
          targetId: row.id,
          metadata: { role: input.role, email },
        });
        return row.id;
      });
      const url = `${ctx.appUrl}/invite/${token}`;
      let mailed = false;
      let mailError: string | null = null;
      if (email && ctx.mailer) {
        const [inviter] = invitedBy
          ? await ctx.db.select({ name: users.name }).from(users).where(eq(users.id, invitedBy))
          : [];
        // The invite stands even when mail fails: the link is shown to the inviter either way.
        try {
          await ctx.mailer.send(
            inviteMail({
              to: email,
              orgName: ctx.org.name,
              inviterName: inviter?.name ?? null,
              role: input.role,
              url,
              expiresAt,
            }),
          );
          mailed = true;
        } catch (error) {
          mailError = `The invite mail to ${email} could not be sent: ${error instanceof Error ? error.message : String(error)}`;
        }
      }
      return { id, url, token, expiresAt, role: input.role, email, mailed, mailError };
    }),

  /** Withdraws a pending invite; its link stops working. */
  revokeInvite: orgProcedure("admin")
    .input(z.strictObject({ id: z.string().min(1) }))
    .mutation(({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
        const [invite] = await tx
          .select()
          .from(invitations)
          .where(and(eq(invitations.id, input.id), eq(invitations.orgId, ctx.org.id)));
        if (!invite)
          throw new TRPCError({ code: "NOT_FOUND", message: `Invitation ${input.id} not found` });
        if (invite.acceptedAt)
          throw new TRPCError({
            code: "BAD_REQUEST",
            message: "This invite has already been used",
          });
        if (!invite.revokedAt) {
          await tx
            .update(invitations)
            .set({ revokedAt: new Date() })
            .where(eq(invitations.id, invite.id));
          await ctx.audit(tx, {
            action: "membership.invite_revoked",
            targetType: "invitation",
            targetId: invite.id,
            metadata: { role: invite.role, email: invite.email },
          });
        }
        return { id: invite.id };
      }),
    ),

  /** For the accept page: which org and role a token offers (no sign-in needed; the token is the secret). */
  invitePreview: publicProcedure
    .input(z.strictObject({ token: Token }))
    .query(async ({ ctx, input }) => {
      const { invite, orgName } = await usableInvite(ctx.db, input.token);
      return { orgName, role: invite.role, email: invite.email, expiresAt: invite.expiresAt };
    }),

  /** Joins the invite's org with its role. Single use; revoked, used or expired links fail with a clear message. */
  acceptInvite: userProcedure.input(z.strictObject({ token: Token })).mutation(({ ctx, input }) => {
    const userId = ctx.actor.userId;
    return ctx.db.transaction(async (tx) => {
      const { invite, orgName, orgSlug } = await usableInvite(tx, input.token);
      if (invite.email) {
        const [user] = await tx
          .select({ email: users.email })
          .from(users)
          .where(eq(users.id, userId));
        if (!user || normalizeEmail(user.email) !== invite.email) {
          throw new TRPCError({
            code: "FORBIDDEN",
            message: `This invite is for ${invite.email}; sign in with that email to accept it`,
          });
        }
      }
      if (await getMembershipRole(tx, invite.orgId, userId)) {
        throw new TRPCError({
          code: "CONFLICT",
          message: `You are already a member of ${orgName}`,
        });
      }
      const [claimed] = await tx
        .update(invitations)
        .set({ acceptedAt: new Date(), acceptedBy: userId })
        .where(
          and(
            eq(invitations.id, invite.id),
            isNull(invitations.acceptedAt),
            isNull(invitations.revokedAt),
            gt(invitations.expiresAt, new Date()),
          ),
        )
        .returning({ id: invitations.id });
      if (!claimed)
        throw new TRPCError({ code: "BAD_REQUEST", message: "This invite has already been used" });
      await tx.insert(memberships).values({ orgId: invite.orgId, userId, role: invite.role });
      await writeAudit(tx, {
        action: "membership.joined",
        orgId: invite.orgId,
        actorUserId: userId,
        targetType: "user",
        targetId: userId,
        metadata: { role: invite.role, invitationId: invite.id },
        ip: clientIp(ctx.headers),
      });
      return { org: { id: invite.orgId, name: orgName, slug: orgSlug, role: invite.role } };
    });
  }),
} satisfies TRPCRouterRecord;
