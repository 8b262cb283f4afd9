/**
 * Open event streams (tRPC `runs.watch`, REST `GET /api/v1/runs/{id}/events`) end when the identity that opened them
 * stops counting (docs/security.md, "Open streams"). A request is checked once, when it arrives; a stream lasts, so it
 * checks again every `STREAM_ACCESS_CHECK_MS` while it is open: the session row (sign-out, sign-out-everywhere,
 * password change), the API key (revoked, or revoked with its creator's demotion or removal) and the membership in
 * the stream's org (removal). A re-check reads the database, so it holds for every server process, on PGlite and on
 * a Postgres server alike.
 */
import type { Database } from "@runnel/db";
import { isSessionLive } from "@runnel/auth";
import { and, eq, isNull } from "@runnel/db";
import { apiKeys, memberships } from "@runnel/db/schema";

import type { Actor } from "../trpc";

/** How often an open stream re-checks its holder; a revoked stream ends within this plus one query. */
export const STREAM_ACCESS_CHECK_MS = 1_000;

/** Who holds an open stream of `orgId`'s data. */
export type StreamHolder =
  | { kind: "user"; userId: string; sessionId?: string | undefined; orgId: string }
  | { kind: "apiKey"; apiKeyId: string; orgId: string };

export function streamHolder(actor: Actor, orgId: string): StreamHolder {
  return actor.kind === "user"
    ? { kind: "user", userId: actor.userId, sessionId: actor.sessionId, orgId }
    : { kind: "apiKey", apiKeyId: actor.apiKeyId, orgId };
}

/** Whether `holder` may still read the org's runs: a live session and a membership, or a live key of the org. */
export async function holderStillAllowed(db: Database, holder: StreamHolder): Promise<boolean> {
  if (holder.kind === "apiKey") {
    const [key] = await db
      .select({ id: apiKeys.id })
      .from(apiKeys)
      .where(
        and(
          eq(apiKeys.id, holder.apiKeyId),
          eq(apiKeys.orgId, holder.orgId),
          isNull(apiKeys.revokedAt),
        ),
      )
      .limit(1);
    return key !== undefined;
  }
  if (holder.sessionId !== undefined && !(await isSessionLive(db, holder.sessionId, holder.userId)))
    return false;
  const [membership] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.orgId, holder.orgId), eq(memberships.userId, holder.userId)))
    .limit(1);
  // Every role may read runs (viewer is the lowest), so any membership will do.
  return membership !== undefined;
}

/** What ended a stream whose holder lost access; the transports turn it into 401 / an error event. */
export class StreamAccessRevokedError extends Error {
  constructor() {
    super(
      "This stream was closed: the session or API key that opened it has ended, or its access to the org was removed",
    );
    this.name = "StreamAccessRevokedError";
  }
}

export interface StreamAccessGuard {
  /** Aborted when the caller's signal aborts or when the holder lost access. */
  readonly signal: AbortSignal;
  /** True once a re-check found the holder without access. */
  readonly revoked: boolean;
  /** Stops re-checking (call when the stream ends). */
  stop(): void;
  /** Ends the stream (the client went away) and stops re-checking. */
  abort(): void;
}

/**
 * Re-checks `holder` every `intervalMs` while a stream is open, and aborts the returned signal when it lost access.
 * A failed check (database unreachable) keeps the stream: the next check decides.
 */
export function guardStreamAccess(
  db: Database,
  holder: StreamHolder,
  options: { signal?: AbortSignal | undefined; intervalMs?: number } = {},
): StreamAccessGuard {
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener("abort", onAbort, { once: true });
  let revoked = false;
  let checking = false;
  const timer = setInterval(() => {
    if (checking || controller.signal.aborted) return;
    checking = true;
    holderStillAllowed(db, holder)
      .then((allowed) => {
        if (allowed || controller.signal.aborted) return;
        revoked = true;
        stop();
        controller.abort(new StreamAccessRevokedError());
      })
      .catch(() => undefined)
      .finally(() => {
        checking = false;
      });
  }, options.intervalMs ?? STREAM_ACCESS_CHECK_MS);
  timer.unref();
  function stop(): void {
    clearInterval(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
  return {
    signal: controller.signal,
    get revoked() {
      return revoked;
    },
    stop,
    abort() {
      stop();
      controller.abort();
    },
  };
}
