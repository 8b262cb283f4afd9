import type { NextAuthConfig, NextAuthResult, Session } from "next-auth";
import { DrizzleAdapter } from "@auth/drizzle-adapter";
import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import GitHub from "next-auth/providers/github";
import Google from "next-auth/providers/google";

import type { Database } from "@runnel/db";
import { accounts, sessions, users, verificationTokens } from "@runnel/db/schema";

import type { AuthEnv } from "./env";
import type { RateLimiter } from "./rate-limit";
import { writeAudit } from "./audit";
import { createOrgWithOwner, listUserOrgs, personalOrgName } from "./orgs";
import { createRateLimiter } from "./rate-limit";
import {
  createSession,
  isSessionLive,
  revokeSession,
  SESSION_MAX_AGE_MS,
  SESSION_UPDATE_AGE_MS,
} from "./sessions";
import { authorizeCredentials, normalizeEmail } from "./users";

declare module "next-auth" {
  interface Session {
    /** The server-side session behind the cookie (docs/auth.md, "Sessions"); revoking it signs this browser out. */
    sessionId?: string;
  }
}

/** Too many failed sign-ins for this email: the redirect carries `error=CredentialsSignin&code=rate_limited`. */
export class SignInRateLimited extends CredentialsSignin {
  override code = "rate_limited";
}

export interface SignInEvent {
  userId: string;
  /** "credentials", "github" or "google". */
  provider: string;
  isNewUser: boolean;
}

export interface CreateAuthOptions {
  /** Opens (once) and returns the database; called lazily, never at import or build time. */
  getDb: () => Promise<Database>;
  /** From loadServerSecrets: signs and encrypts the session JWT. */
  secret: string;
  env: Pick<
    AuthEnv,
    "AUTH_GITHUB_ID" | "AUTH_GITHUB_SECRET" | "AUTH_GOOGLE_ID" | "AUTH_GOOGLE_SECRET"
  >;
  /** Called after each successful sign-in (after the audit row is written). */
  onSignIn?: (event: SignInEvent) => void | Promise<void>;
  /** Failed password sign-ins per email; default: 10 per 15 minutes, then refused until the window ends. */
  signInLimiter?: RateLimiter;
  /**
   * Failed password sign-ins per client address (X-Forwarded-For, else X-Real-IP), whatever the email: slows down
   * password spraying. Default: 50 per 15 minutes. A success does not reset it.
   */
  signInIpLimiter?: RateLimiter;
}

export const DEFAULT_SIGN_IN_LIMIT = { limit: 10, windowMs: 15 * 60 * 1000 };
export const DEFAULT_SIGN_IN_IP_LIMIT = { limit: 50, windowMs: 15 * 60 * 1000 };

/** The client address a proxy reports for the request ("unknown" without one). */
function clientAddress(request: Request | undefined): string {
  const headers = request?.headers;
  return (
    headers?.get("x-forwarded-for")?.split(",")[0]?.trim() ||
    headers?.get("x-real-ip")?.trim() ||
    "unknown"
  );
}

/** The OAuth providers whose id and secret are both configured. */
export function enabledOAuthProviders(env: CreateAuthOptions["env"]): ("github" | "google")[] {
  const enabled: ("github" | "google")[] = [];
  if (env.AUTH_GITHUB_ID && env.AUTH_GITHUB_SECRET) enabled.push("github");
  if (env.AUTH_GOOGLE_ID && env.AUTH_GOOGLE_SECRET) enabled.push("google");
  return enabled;
}

/** The next-auth configuration over an open database (exported for tests; apps use createAuth). */
export function buildAuthConfig(
  db: Database,
  options: Omit<CreateAuthOptions, "getDb" | "signInLimiter"> & { signInLimiter: RateLimiter },
): NextAuthConfig {
  const { env, signInLimiter, signInIpLimiter } = options;
  const providers: NextAuthConfig["providers"] = [
    Credentials({
      id: "credentials",
      name: "Email and password",
      credentials: {
        email: { label: "Email", type: "email" },
        password: { label: "Password", type: "password" },
      },
      async authorize(credentials, request) {
        const key = typeof credentials.email === "string" ? normalizeEmail(credentials.email) : "";
        const address = clientAddress(request);
        if (signInLimiter.blocked(key) || signInIpLimiter?.blocked(address))
          throw new SignInRateLimited();
        const user = await authorizeCredentials(db, credentials);
        if (user) {
          signInLimiter.reset(key);
        } else {
          signInLimiter.hit(key);
          signInIpLimiter?.hit(address);
        }
        return user;
      },
    }),
  ];
  if (env.AUTH_GITHUB_ID && env.AUTH_GITHUB_SECRET) {
    providers.push(GitHub({ clientId: env.AUTH_GITHUB_ID, clientSecret: env.AUTH_GITHUB_SECRET }));
  }
  if (env.AUTH_GOOGLE_ID && env.AUTH_GOOGLE_SECRET) {
    providers.push(Google({ clientId: env.AUTH_GOOGLE_ID, clientSecret: env.AUTH_GOOGLE_SECRET }));
  }
  return {
    trustHost: true,
    secret: options.secret,
    session: {
      strategy: "jwt",
      maxAge: SESSION_MAX_AGE_MS / 1000,
      updateAge: SESSION_UPDATE_AGE_MS / 1000,
    },
    adapter: DrizzleAdapter(db, {
      usersTable: users,
      accountsTable: accounts,
      sessionsTable: sessions,
      verificationTokensTable: verificationTokens,
    }),
    providers,
    callbacks: {
      /**
       * At sign-in a session row is recorded and its id put in the token; on every later request the token counts
       * only while that row lives (docs/auth.md, "Sessions"). Returning null makes next-auth clear the cookie.
       */
      async jwt({ token, user }) {
        if (user?.id) return { ...token, sid: await createSession(db, user.id) };
        const { sid, sub } = token;
        if (typeof sid !== "string" || !sub) return null;
        return (await isSessionLive(db, sid, sub)) ? token : null;
      },
      session({ session, token }) {
        if (token.sub) session.user.id = token.sub;
        if (typeof token.sid === "string") session.sessionId = token.sid;
        return session;
      },
    },
    events: {
      async signOut(message) {
        const sid = "token" in message ? message.token?.sid : undefined;
        if (typeof sid === "string") await revokeSession(db, sid);
      },
      /** OAuth users are created by the adapter; they get a personal org like password sign-ups do. */
      async createUser({ user }) {
        if (!user.id || !user.email) return;
        const userId = user.id;
        const email = user.email;
        await db.transaction(async (tx) => {
          if ((await listUserOrgs(tx, userId)).length > 0) return;
          await createOrgWithOwner(tx, {
            name: personalOrgName({ name: user.name, email }),
            ownerUserId: userId,
            personal: true,
          });
          await writeAudit(tx, {
            action: "auth.sign_up",
            actorUserId: userId,
            targetType: "user",
            targetId: userId,
            metadata: { method: "oauth" },
          });
        });
      },
      async signIn({ user, account, isNewUser }) {
        if (!user.id) return;
        const provider = account?.provider ?? "credentials";
        await writeAudit(db, {
          action: "auth.sign_in",
          actorUserId: user.id,
          targetType: "user",
          targetId: user.id,
          metadata: { provider },
        });
        await options.onSignIn?.({ userId: user.id, provider, isNewUser: isNewUser ?? false });
      },
    },
  };
}

/**
 * next-auth (Auth.js v5) for Runnel: JWT sessions backed by revocable session rows, email + password via the
 * "credentials" provider, and GitHub / Google when their AUTH_* id and secret are set. Mount `handlers` at
 * /api/auth/[...nextauth].
 */
export function createAuth(options: CreateAuthOptions): NextAuthResult {
  const signInLimiter = options.signInLimiter ?? createRateLimiter(DEFAULT_SIGN_IN_LIMIT);
  const signInIpLimiter = options.signInIpLimiter ?? createRateLimiter(DEFAULT_SIGN_IN_IP_LIMIT);
  return NextAuth(async () =>
    buildAuthConfig(await options.getDb(), { ...options, signInLimiter, signInIpLimiter }),
  );
}

/** The signed-in user and their session id from next-auth's `auth()`; null when signed out or revoked. */
export function sessionUserOf(
  session: Session | null,
): { userId: string; sessionId: string } | null {
  const userId = session?.user?.id;
  const sessionId = session?.sessionId;
  return userId && sessionId ? { userId, sessionId } : null;
}
