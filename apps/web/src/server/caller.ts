import "server-only";

import { TRPCError } from "@trpc/server";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";

import { appRouter, createTRPCContext } from "@runnel/api";

import { safeCallbackUrl } from "~/lib/callback-url";
import { PATH_HEADER } from "~/lib/path-header";
import { getEngine } from "./engine";
import { appUrlFor, getDb, getMailer, getSecrets, getSessionUser } from "./runtime";

/** The request's own origin as seen by the browser (for invite links when APP_URL is unset). */
function originOf(requestHeaders: Headers): string {
  const host =
    requestHeaders.get("x-forwarded-host") ?? requestHeaders.get("host") ?? "localhost:3000";
  const proto = requestHeaders.get("x-forwarded-proto") ?? "http";
  return `${proto}://${host}`;
}

/** A tRPC caller for server components acting as `session` (null: only public procedures work). */
export async function callerFor(session: { userId: string; sessionId?: string } | null) {
  const requestHeaders = new Headers(await headers());
  const [db, secrets, engine] = await Promise.all([getDb(), getSecrets(), getEngine()]);
  const ctx = await createTRPCContext({
    headers: requestHeaders,
    db,
    session,
    encryptionKey: secrets.encryptionKey,
    appUrl: appUrlFor(originOf(requestHeaders)),
    mailer: getMailer(),
    engine: { sendEvent: engine.sendEvent, bus: engine.bus },
    http: engine.services.http,
  });
  return appRouter.createCaller(ctx);
}

/** Sends the visitor to sign in, then back to the page they asked for (set by src/proxy.ts). */
async function redirectToSignIn(): Promise<never> {
  const back = safeCallbackUrl((await headers()).get(PATH_HEADER));
  redirect(`/sign-in?callbackUrl=${encodeURIComponent(back)}`);
}

/**
 * A caller acting as the signed-in user (the `runnel_org` cookie chooses the active org).
 * Redirects to /sign-in when nobody is signed in.
 */
export async function requireCaller() {
  const session = await getSessionUser();
  if (!session) return redirectToSignIn();
  return callerFor(session);
}

/** The signed-in user's profile and orgs; a session whose user is gone counts as signed out. */
export const requireMe = cache(async () => {
  const caller = await requireCaller();
  try {
    return await caller.me.get();
  } catch (error) {
    if (error instanceof TRPCError && error.code === "UNAUTHORIZED") return redirectToSignIn();
    throw error;
  }
});
