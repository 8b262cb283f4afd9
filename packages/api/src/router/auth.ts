import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";

import {
  changePassword,
  EmailTakenError,
  registerUser,
  revokeUserSessions,
  writeAudit,
  WrongPasswordError,
} from "@runnel/auth";

import { authProcedure, clientIp, fieldError, passwordProcedure, userProcedure } from "../trpc";

/** The password rules of sign-up and password change (docs/auth.md). */
export const NewPassword = z
  .string()
  .min(10, "Password must be at least 10 characters")
  .max(1024, "Password must be at most 1024 characters")
  .regex(/\p{L}/u, "Password must contain a letter")
  .regex(/\p{N}/u, "Password must contain a digit");

export const SignUpInput = z.strictObject({
  name: z.string().trim().min(1, "Enter your name").max(100, "Name must be at most 100 characters"),
  email: z.email("Enter a valid email address").max(254, "Email must be at most 254 characters"),
  password: NewPassword,
});
export type SignUpInput = z.infer<typeof SignUpInput>;

export const ChangePasswordInput = z.strictObject({
  currentPassword: z.string().min(1, "Enter your current password").max(1024),
  newPassword: NewPassword,
});
export type ChangePasswordInput = z.infer<typeof ChangePasswordInput>;

export const authRouter = {
  /** Creates the user, a personal org and the owner membership in one transaction; then sign in with next-auth. */
  signUp: authProcedure.input(SignUpInput).mutation(async ({ ctx, input }) => {
    try {
      const { userId } = await registerUser(ctx.db, { ...input, ip: clientIp(ctx.headers) });
      return { userId };
    } catch (error) {
      if (error instanceof EmailTakenError)
        throw fieldError(["email"], "An account with this email already exists");
      throw error;
    }
  }),

  /** Replaces the password (the current one is checked) and ends every other session of the user. */
  changePassword: passwordProcedure.input(ChangePasswordInput).mutation(async ({ ctx, input }) => {
    if (input.newPassword === input.currentPassword)
      throw fieldError(["newPassword"], "The new password must differ from the current one");
    try {
      return await changePassword(ctx.db, {
        userId: ctx.actor.userId,
        currentPassword: input.currentPassword,
        newPassword: input.newPassword,
        keepSessionId: ctx.actor.sessionId,
        ip: clientIp(ctx.headers),
      });
    } catch (error) {
      if (error instanceof WrongPasswordError) throw fieldError(["currentPassword"], error.message);
      throw error;
    }
  }),

  /** Ends every session of the signed-in user, this one included: each browser is signed out on its next request. */
  signOutEverywhere: userProcedure.mutation(({ ctx }) =>
    ctx.db.transaction(async (tx) => {
      const endedSessions = await revokeUserSessions(tx, ctx.actor.userId);
      await writeAudit(tx, {
        action: "auth.sessions_ended",
        actorUserId: ctx.actor.userId,
        targetType: "user",
        targetId: ctx.actor.userId,
        metadata: { endedSessions },
        ip: clientIp(ctx.headers),
      });
      return { endedSessions };
    }),
  ),
} satisfies TRPCRouterRecord;
