import "server-only";

import type { Session } from "next-auth";

import type { Lookups, RateLimits } from "@runnel/api";
import type { AuthEnv, Mailer } from "@runnel/auth";
import type { Database, DbHandle } from "@runnel/db";
import type { DbEnv } from "@runnel/db/env";
import {
  createLookups,
  createRateLimits,
  listenForLookupChanges,
  rateLimitEnv,
  rateLimitOptionsFromEnv,
  rateLimitStoreFor,
} from "@runnel/api";
import {
  authEnv,
  createAuth,
  createSmtpMailer,
  loadServerSecrets,
  sessionUserOf,
} from "@runnel/auth";
import { applyMigrations } from "@runnel/db";
import { createDbFromEnv, dbEnv, resolveDataDir } from "@runnel/db/env";

import { env } from "~/env";
import { workspaceRoot } from "./data-dir";

/**
 * The server's composition root: one database handle per process (migrated before first use),
 * the secrets, and the next-auth instance. Everything is created lazily on the first request, so
 * `next build` never opens the database or the data folder.
 */
type Auth = ReturnType<typeof createAuth>;
type Secrets = ReturnType<typeof loadServerSecrets>;
interface RunnelGlobals {
  authEnv?: AuthEnv;
  dbEnv?: DbEnv;
  mailer?: { value: Mailer | undefined };
  db?: Promise<DbHandle>;
  secrets?: Promise<Secrets>;
  auth?: Promise<Auth>;
  rateLimits?: RateLimits;
  lookups?: Lookups;
}

const globals = globalThis as typeof globalThis & { __runnel?: RunnelGlobals };
const state: RunnelGlobals = (globals.__runnel ??= {});

/** DATABASE_URL and RUNNEL_DATA_DIR, validated once. */
export function getDbEnv(): DbEnv {
  return (state.dbEnv ??= dbEnv());
}

/** The embedded default's folder (PGlite data and generated secrets), relative paths from the repository root. */
function dataDir(): string {
  return resolveDataDir(getDbEnv(), workspaceRoot(process.cwd()));
}

/** The auth package's variables (AUTH_SECRET, RUNNEL_ENCRYPTION_KEY, OAuth, SMTP), validated once. */
export function getAuthEnv(): AuthEnv {
  return (state.authEnv ??= authEnv());
}

/** Invitations are also mailed when SMTP_URL is set (from SMTP_FROM). */
export function getMailer(): Mailer | undefined {
  if (!state.mailer) {
    const { SMTP_URL, SMTP_FROM } = getAuthEnv();
    state.mailer = {
      value: SMTP_URL ? createSmtpMailer({ url: SMTP_URL, from: SMTP_FROM }) : undefined,
    };
  }
  return state.mailer.value;
}

/**
 * The API's request budgets (RUNNEL_RATE_LIMIT_*): counted in a table of the app database on a Postgres server, so
 * every server process shares them; in memory on PGlite.
 */
export function getRateLimits(): RateLimits {
  return (state.rateLimits ??= createRateLimits(rateLimitOptionsFromEnv(rateLimitEnv()), async () =>
    rateLimitStoreFor(await getDbHandle()),
  ));
}

/**
 * Webhook and deployment lookups cached in this process, dropped per org on the database's change notices
 * (LISTEN on a server, PGlite's own notices embedded).
 */
export function getLookups(): Lookups {
  return (state.lookups ??= createLookups(async () =>
    listenForLookupChanges(await getDbHandle(), getDbEnv().DATABASE_URL, (error) =>
      console.error("lookup change feed:", error),
    ),
  ));
}

/** Memoises a promise; a failure is not kept, so the next request tries again. */
function once<T>(key: "db" | "secrets" | "auth", make: () => Promise<T>): Promise<T> {
  const existing = state[key] as Promise<T> | undefined;
  if (existing) return existing;
  const created = make().catch((error: unknown) => {
    state[key] = undefined;
    throw error;
  });
  (state as Record<string, unknown>)[key] = created;
  return created;
}

export function getDbHandle(): Promise<DbHandle> {
  return once("db", async () => {
    const handle = await createDbFromEnv({ env: getDbEnv(), cwd: workspaceRoot(process.cwd()) });
    await applyMigrations(handle);
    return handle;
  });
}

export async function getDb(): Promise<Database> {
  return (await getDbHandle()).db;
}

export function getSecrets(): Promise<Secrets> {
  return once("secrets", () =>
    Promise.resolve().then(() =>
      loadServerSecrets({
        dataDir: dataDir(),
        databaseUrl: getDbEnv().DATABASE_URL,
        env: getAuthEnv(),
      }),
    ),
  );
}

export function getAuth(): Promise<Auth> {
  return once("auth", async () => {
    const secrets = await getSecrets();
    return createAuth({ getDb, secret: secrets.authSecret, env: getAuthEnv() });
  });
}

/** The signed-in user and session, or null (no cookie, expired, ended, or a cookie that fails to decrypt). */
export async function getSessionUser(): Promise<{ userId: string; sessionId: string } | null> {
  const { auth } = await getAuth();
  const session: Session | null = await auth();
  return sessionUserOf(session);
}

/** Invite links use APP_URL when set, else the origin the request came in on. */
export function appUrlFor(requestUrl: string): string {
  return env.APP_URL ?? new URL(requestUrl).origin;
}
