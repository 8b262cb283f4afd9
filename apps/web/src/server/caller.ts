import "server-only";

import { TRPCError } from "@trpc/server";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";

import { appRouter, createTRPCContext } from "@runnel/api";

import { appUrlFor, getDb, getMailer, getSecrets, getSessionUser } from "./runtime";

/** The request's own origin as seen by the browser (for invite links when APP_URL is unset). */
function originOf(requestHeaders: Headers): string {
  const host =
    requestHeaders.get("x-forwarded-host") ?? requestHeaders.get("host") ?? "localhost:3000";
  const proto = requestHeaders.get("x-forwarded-proto") ?? "http";
  return `${proto}://${host}`;
}

/** A tRPC caller for server components acting as `session` (null: only public procedures work). */
export async function callerFor(session: { userId: string } | null) {
  const requestHeaders = new Headers(await headers());
  const [db, secrets] = await Promise.all([getDb(), getSecrets()]);
  const ctx = await createTRPCContext({
    headers: requestHeaders,
    db,
    session,
    encryptionKey: secrets.encryptionKey,
    appUrl: appUrlFor(originOf(requestHeaders)),
    mailer: getMailer(),
  });
  return appRouter.createCaller(ctx);
}

/**
 * A caller acting as the signed-in user (the `runnel_org` cookie chooses the active org).
 * Redirects to /sign-in when nobody is signed in.
 */
export async function requireCaller(returnTo = "/") {
  const session = await getSessionUser();
  if (!session) redirect(`/sign-in?callbackUrl=${encodeURIComponent(returnTo)}`);
  return callerFor(session);
}

/** The signed-in user's profile and orgs; a session whose user is gone counts as signed out. */
export const requireMe = cache(async (returnTo = "/") => {
  const caller = await requireCaller(returnTo);
  try {
    return await caller.me.get();
  } catch (error) {
    if (error instanceof TRPCError && error.code === "UNAUTHORIZED") {
      redirect(`/sign-in?callbackUrl=${encodeURIComponent(returnTo)}`);
    }
    throw error;
  }
});
