"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";

import { safeCallbackUrl } from "~/lib/callback-url";
import { getAuth, getSessionUser } from "./runtime";

/**
 * next-auth's AuthError, recognised by its `type`. The auth instance is a process-wide singleton and may
 * have been created from another bundle layer (a route handler) than this server action, each with its
 * own copy of the AuthError class, so `instanceof` is not reliable here.
 */
function authErrorType(error: unknown): string | null {
  if (!(error instanceof Error)) return null;
  const type = (error as Error & { type?: unknown }).type;
  return typeof type === "string" ? type : null;
}

export interface SignInResult {
  error: string;
}

const PasswordSignIn = z.object({
  email: z.string(),
  password: z.string(),
  callbackUrl: z.string().optional(),
});

/** Email + password sign-in; on success the browser is redirected, on failure a message comes back. */
export async function signInWithPassword(
  input: z.infer<typeof PasswordSignIn>,
): Promise<SignInResult> {
  const { email, password, callbackUrl } = PasswordSignIn.parse(input);
  const { signIn } = await getAuth();
  try {
    await signIn("credentials", { email, password, redirect: false });
  } catch (error) {
    const type = authErrorType(error);
    if (type === null) throw error;
    return {
      error:
        type === "CredentialsSignin"
          ? "Wrong email or password"
          : "Sign-in failed. Please try again.",
    };
  }
  redirect(safeCallbackUrl(callbackUrl));
}

/** Starts an OAuth sign-in (GitHub or Google, when configured). */
export async function signInWithProvider(provider: "github" | "google", callbackUrl?: string) {
  const { signIn } = await getAuth();
  await signIn(provider, { redirectTo: safeCallbackUrl(callbackUrl) });
}

export async function signOutAction(): Promise<void> {
  const { signOut } = await getAuth();
  await signOut({ redirect: false });
  redirect("/sign-in");
}

/**
 * Makes `orgId` the active org for this browser. The API checks the cookie against the user's
 * memberships on every request, so a forged value only falls back to the personal org.
 */
export async function switchOrg(orgId: string): Promise<void> {
  const parsed = z.string().min(1).max(200).parse(orgId);
  if (!(await getSessionUser())) redirect("/sign-in");
  const jar = await cookies();
  jar.set("runnel_org", parsed, {
    path: "/",
    sameSite: "lax",
    httpOnly: true,
    maxAge: 60 * 60 * 24 * 365,
  });
}
