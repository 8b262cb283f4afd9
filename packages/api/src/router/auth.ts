import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";

import { EmailTakenError, registerUser } from "@runnel/auth";

import { authProcedure, clientIp, fieldError } from "../trpc";

export const SignUpInput = z.strictObject({
  name: z.string().trim().min(1, "Enter your name").max(100, "Name must be at most 100 characters"),
  email: z.email("Enter a valid email address").max(254, "Email must be at most 254 characters"),
  password: z
    .string()
    .min(10, "Password must be at least 10 characters")
    .max(1024, "Password must be at most 1024 characters")
    .regex(/\p{L}/u, "Password must contain a letter")
    .regex(/\p{N}/u, "Password must contain a digit"),
});
export type SignUpInput = z.infer<typeof SignUpInput>;

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
} satisfies TRPCRouterRecord;
