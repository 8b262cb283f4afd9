/**
 * tRPC setup, top to bottom: context, initialisation (superjson via ./transformer, zod error formatting), procedures
 * (`publicProcedure`, `protectedProcedure`, `userProcedure`, `orgProcedure(minRole)`), each narrowing ctx.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError, ZodRealError } from "zod";

import type { AuditEntry, DbOrTx, Mailer, Role, VerifiedApiKey } from "@runnel/auth";
import type { Database } from "@runnel/db";
import type { RunEventBus, RunResponses, SendEvent } from "@runnel/engine";
import type { HttpService } from "@runnel/nodes";
import { bearerToken, hasRole, resolveActiveOrg, verifyApiKey, writeAudit } from "@runnel/auth";
import { eq } from "@runnel/db";
import { orgs } from "@runnel/db/schema";

import type { RateLimits, RateLimitScope } from "./security/rate-limit";
import { RateLimitExceededError } from "./security/rate-limit";
import { keyAllows, keyRole } from "./security/scopes";
import { transformer } from "./transformer";

/** Header and cookie that pick the active org of a signed-in user (checked against their memberships). */
export const ORG_HEADER = "x-runnel-org";
export const ORG_COOKIE = "runnel_org";

export interface CreateContextOptions {
  headers: Headers;
  db: Database;
  /** From next-auth's `auth()` (sessionUserOf); null when signed out or the session was ended. */
  session: { userId: string; sessionId?: string } | null;
  /** 32-byte credential master key (loadServerSecrets). */
  encryptionKey: Buffer;
  /** Public base URL, for invite links. */
  appUrl: string;
  /** When set, invitations with an email are also mailed. */
  mailer?: Mailer | undefined;
  /** What starts and streams runs (runs and approvals procedures); without it they answer PRECONDITION_FAILED. */
  engine?: EngineDeps | undefined;
  /** The SSRF-safe HTTP service: "Test connection" and model lists of provider credentials go through it. */
  http?: HttpService | undefined;
  /** Request budgets (createRateLimits) per API key, per org and per address on auth procedures; unset: none. */
  rateLimits?: RateLimits | undefined;
}

/** The engine as the API sees it: how events reach Inngest (or the local executor), and the run event bus. */
export interface EngineDeps {
  sendEvent: SendEvent;
  bus: RunEventBus;
  /** Respond outputs of the runs executing in this process (embedded direct driver), answered in memory. */
  responses?: RunResponses;
}

export type Actor =
  | { kind: "user"; userId: string; sessionId?: string }
  | {
      kind: "apiKey";
      apiKeyId: string;
      orgId: string;
      createdBy: string | null;
      key: VerifiedApiKey;
    };

/**
 * Builds the request context. A Bearer API key wins over the session; an unknown or revoked key fails the
 * request at once with UNAUTHORIZED (HTTP 401), whatever the procedure.
 */
export async function createTRPCContext(opts: CreateContextOptions) {
  const token = bearerToken(opts.headers);
  let actor: Actor | null = opts.session ? { kind: "user", ...opts.session } : null;
  if (token !== undefined) {
    const key = await verifyApiKey(opts.db, token);
    if (!key)
      throw new TRPCError({
        code: "UNAUTHORIZED",
        message: "The API key is invalid or has been revoked",
      });
    actor = { kind: "apiKey", apiKeyId: key.id, orgId: key.orgId, createdBy: key.createdBy, key };
  }
  return {
    db: opts.db,
    headers: opts.headers,
    encryptionKey: opts.encryptionKey,
    appUrl: opts.appUrl.replace(/\/+$/, ""),
    mailer: opts.mailer,
    engine: opts.engine,
    http: opts.http,
    rateLimits: opts.rateLimits,
    actor,
  };
}
export type Context = Awaited<ReturnType<typeof createTRPCContext>>;

/** Field errors keyed by dotted path (`email`, `data.apiKey`), plus form-level errors: z.flattenError's shape. */
export interface FlattenedZodError {
  formErrors: string[];
  fieldErrors: Record<string, string[]>;
}

export function flattenZodError(error: ZodError): FlattenedZodError {
  const flattened: FlattenedZodError = { formErrors: [], fieldErrors: {} };
  for (const issue of error.issues) {
    if (issue.path.length === 0) {
      flattened.formErrors.push(issue.message);
      continue;
    }
    const key = issue.path.map(String).join(".");
    (flattened.fieldErrors[key] ??= []).push(issue.message);
  }
  return flattened;
}

/** A BAD_REQUEST carrying field errors, for checks zod cannot do alone (email taken, per-type credential data). */
export function fieldError(path: (string | number)[], message: string): TRPCError {
  return new TRPCError({
    code: "BAD_REQUEST",
    message,
    cause: new ZodRealError([{ code: "custom", path, message, input: undefined }]),
  });
}

const t = initTRPC.context<Context>().create({
  transformer,
  errorFormatter({ shape, error }) {
    return {
      ...shape,
      data: {
        ...shape.data,
        zodError:
          error.code === "BAD_REQUEST" && error.cause instanceof ZodError
            ? flattenZodError(error.cause)
            : null,
        retryAfterSeconds:
          error.cause instanceof RateLimitExceededError ? error.cause.retryAfterSeconds : null,
      },
    };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

export const publicProcedure = t.procedure;

/** Counts the call against a budget; over it: TOO_MANY_REQUESTS (HTTP 429, Retry-After from rateLimitResponseMeta). */
async function consumeBudget(
  ctx: Pick<Context, "rateLimits">,
  scope: RateLimitScope,
  key: string,
): Promise<void> {
  try {
    await ctx.rateLimits?.consume(scope, key);
  } catch (error) {
    if (error instanceof RateLimitExceededError) {
      throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: error.message, cause: error });
    }
    throw error;
  }
}

/** Public auth procedures (sign-up): a budget per client address. */
export const authProcedure = publicProcedure.use(async ({ ctx, next }) => {
  await consumeBudget(ctx, "authIp", clientIp(ctx.headers) ?? "unknown");
  return next();
});

/** A signed-in user or a valid API key (an API key's calls count against its budget). */
export const protectedProcedure = t.procedure.use(async ({ ctx, next }) => {
  if (!ctx.actor)
    throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in or send an API key" });
  if (ctx.actor.kind === "apiKey") await consumeBudget(ctx, "apiKey", ctx.actor.apiKeyId);
  return next({ ctx: { actor: ctx.actor } });
});

/** A signed-in user (not an API key): for acts that belong to a person, like creating orgs or accepting invites. */
export const userProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.actor.kind !== "user") {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: "This needs a signed-in user; an API key cannot do it",
    });
  }
  return next({ ctx: { actor: ctx.actor } });
});

/** Acts of a signed-in person that check their password (password change): a budget per client address. */
export const passwordProcedure = userProcedure.use(async ({ ctx, next }) => {
  await consumeBudget(ctx, "authIp", clientIp(ctx.headers) ?? "unknown");
  return next();
});

/** The role an API key without scopes acts with in its org (a read-only key acts as viewer: security/scopes). */
export const API_KEY_ROLE: Role = "editor";

function readCookie(headers: Headers, name: string): string | undefined {
  for (const part of (headers.get("cookie") ?? "").split(";")) {
    const index = part.indexOf("=");
    if (index > 0 && part.slice(0, index).trim() === name) {
      try {
        return decodeURIComponent(part.slice(index + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export interface ActiveOrg {
  id: string;
  name: string;
  slug: string;
  role: Role;
}

/** The org the request acts in: the API key's org, or the user's chosen org (header, then cookie), else their personal org. */
export async function activeOrgFor(
  ctx: Pick<Context, "db" | "headers">,
  actor: Actor,
): Promise<ActiveOrg | null> {
  if (actor.kind === "apiKey") {
    const [org] = await ctx.db.select().from(orgs).where(eq(orgs.id, actor.orgId)).limit(1);
    return org
      ? { id: org.id, name: org.name, slug: org.slug, role: keyRole(actor.key.scopes) }
      : null;
  }
  const requested =
    ctx.headers.get(ORG_HEADER)?.trim() || readCookie(ctx.headers, ORG_COOKIE) || undefined;
  const org = await resolveActiveOrg(ctx.db, actor.userId, requested);
  return org ? { id: org.id, name: org.name, slug: org.slug, role: org.role } : null;
}

/**
 * Procedures scoped to the active org, for at least `minRole` (viewer < editor < admin < owner). A lower role
 * fails with FORBIDDEN before the handler runs, so nothing happens. Every call counts against the org's budget.
 * ctx gains `org` and `audit`.
 */
export function orgProcedure(minRole: Role) {
  return protectedProcedure.use(async ({ ctx, next }) => {
    const org = await activeOrgFor(ctx, ctx.actor);
    if (!org)
      throw new TRPCError({ code: "FORBIDDEN", message: "You are not a member of any org" });
    if (ctx.actor.kind === "apiKey" && !keyAllows(ctx.actor.key.scopes, "runs:read"))
      throw new TRPCError({
        code: "FORBIDDEN",
        message: `This API key has the scopes ${ctx.actor.key.scopes.join(", ")}; the API needs runs:read or runs:write`,
      });
    await consumeBudget(ctx, "org", org.id);
    if (!hasRole(org.role, minRole)) {
      throw new TRPCError({
        code: "FORBIDDEN",
        message: `This needs the ${minRole} role or higher in ${org.name}; you are ${org.role}`,
      });
    }
    const actor = ctx.actor;
    /** Writes an audit row for this org and actor (pass the transaction to commit it with the change). */
    const audit = (
      db: DbOrTx,
      entry: Omit<AuditEntry, "orgId" | "actorUserId" | "actorApiKeyId" | "ip">,
    ) =>
      writeAudit(db, { ...entry, ...actorFields(actor), orgId: org.id, ip: clientIp(ctx.headers) });
    return next({ ctx: { actor, org, audit } });
  });
}

export function actorFields(actor: Actor): {
  actorUserId: string | null;
  actorApiKeyId: string | null;
} {
  return actor.kind === "user"
    ? { actorUserId: actor.userId, actorApiKeyId: null }
    : { actorUserId: actor.createdBy, actorApiKeyId: actor.apiKeyId };
}

/** Best-effort client address for audit rows (informational: proxies may set it). */
export function clientIp(headers: Headers): string | null {
  return headers.get("x-forwarded-for")?.split(",")[0]?.trim() || headers.get("x-real-ip") || null;
}
