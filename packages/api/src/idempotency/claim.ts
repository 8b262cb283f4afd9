import { randomUUID } from "node:crypto";

import type { Database } from "@runnel/db";
import { and, eq, lt, sql } from "@runnel/db";
import { idempotencyKeys } from "@runnel/db/schema";

import { IDEMPOTENCY_KEY_TTL_SECONDS } from "./request";

/** A key reused for a different request while it is remembered: the caller gets 409 (tRPC: CONFLICT). */
export class IdempotencyKeyReusedError extends Error {
  readonly key: string;
  readonly firstUsedAt: Date;
  readonly expiresAt: Date;
  constructor(key: string, firstUsedAt: Date, expiresAt: Date) {
    super(
      `Idempotency-Key "${key}" was first used at ${firstUsedAt.toISOString()} for a request with a different target or body; ` +
        `send a new key for a new request (this one is remembered until ${expiresAt.toISOString()})`,
    );
    this.name = "IdempotencyKeyReusedError";
    this.key = key;
    this.firstUsedAt = firstUsedAt;
    this.expiresAt = expiresAt;
  }
}

export interface KeyClaimRequest {
  orgId: string;
  /** What the key is unique within: `runs` (REST and tRPC starts) or `hook:<triggerId>`. */
  scope: string;
  key: string;
  /** fingerprintJson / fingerprintRaw of what the request asks for. */
  requestHash: string;
  /** How long the key is remembered from its first use; default 24 h. */
  ttlSeconds?: number;
}

/** The claim a request holds: the same for every request that uses the key while it is remembered. */
export interface KeyClaim {
  claimId: string;
  /** True for the request that claimed the key (first use, or first use after it expired). */
  fresh: boolean;
}

const columns = {
  requestHash: idempotencyKeys.requestHash,
  claimId: idempotencyKeys.claimId,
  createdAt: idempotencyKeys.createdAt,
  expiresAt: idempotencyKeys.expiresAt,
};

/**
 * Claims `key` in one statement: a new key, or one whose time is up, is (re)claimed with a new claim id; a remembered
 * key returns its claim when the request hash matches and throws IdempotencyKeyReusedError when it does not.
 * Concurrent claims of one key are serialised by the primary key, so they all get the same claim id.
 */
export async function claimIdempotencyKey(
  db: Database,
  request: KeyClaimRequest,
): Promise<KeyClaim> {
  const ttl = request.ttlSeconds ?? IDEMPOTENCY_KEY_TTL_SECONDS;
  const expiresAt = sql`now() + make_interval(secs => ${ttl})`;
  const claimId = randomUUID();
  const [claimed] = await db
    .insert(idempotencyKeys)
    .values({
      orgId: request.orgId,
      scope: request.scope,
      key: request.key,
      requestHash: request.requestHash,
      claimId,
      expiresAt,
    })
    .onConflictDoUpdate({
      target: [idempotencyKeys.orgId, idempotencyKeys.scope, idempotencyKeys.key],
      set: { requestHash: request.requestHash, claimId, createdAt: sql`now()`, expiresAt },
      setWhere: lt(idempotencyKeys.expiresAt, sql`now()`),
    })
    .returning({ claimId: idempotencyKeys.claimId });
  if (claimed) return { claimId: claimed.claimId, fresh: true };
  const [held] = await db
    .select(columns)
    .from(idempotencyKeys)
    .where(
      and(
        eq(idempotencyKeys.orgId, request.orgId),
        eq(idempotencyKeys.scope, request.scope),
        eq(idempotencyKeys.key, request.key),
      ),
    );
  // Deleted by a sweep between the two statements: the key is free again.
  if (!held) return claimIdempotencyKey(db, request);
  if (held.requestHash !== request.requestHash) {
    throw new IdempotencyKeyReusedError(request.key, held.createdAt, held.expiresAt);
  }
  return { claimId: held.claimId, fresh: false };
}

/** Deletes keys whose time is up (a reuse would reclaim them anyway); returns how many. */
export async function deleteExpiredIdempotencyKeys(db: Database): Promise<number> {
  const deleted = await db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.expiresAt, sql`now()`))
    .returning({ key: idempotencyKeys.key });
  return deleted.length;
}
