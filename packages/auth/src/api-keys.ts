import { randomBytes } from "node:crypto";

import { and, eq, isNull } from "@runnel/db";
import { apiKeys } from "@runnel/db/schema";

import type { DbOrTx } from "./db";
import { sha256Hex } from "./tokens";

export const API_KEY_PREFIX = "rk_";
const KEY_PATTERN = /^rk_[A-Za-z0-9_-]{43}$/;
/** `rk_` + 8 characters: enough to tell keys apart in a list, useless to an attacker. */
const DISPLAY_PREFIX_LENGTH = API_KEY_PREFIX.length + 8;

export interface GeneratedApiKey {
  /** The whole key; shown to its creator once and never stored. */
  key: string;
  prefix: string;
  hash: string;
}

export function generateApiKey(): GeneratedApiKey {
  const key = API_KEY_PREFIX + randomBytes(32).toString("base64url");
  return { key, prefix: key.slice(0, DISPLAY_PREFIX_LENGTH), hash: sha256Hex(key) };
}

export function isApiKeyFormat(value: string): boolean {
  return KEY_PATTERN.test(value);
}

export interface VerifiedApiKey {
  id: string;
  orgId: string;
  name: string;
  prefix: string;
  createdBy: string | null;
  /** What the key may do; empty: everything an editor may (see @runnel/api security/scopes). */
  scopes: string[];
}

/**
 * Looks a presented key up by its hash. Unknown, malformed or revoked → null (the caller answers 401).
 * A valid key gets its last_used_at updated.
 */
export async function verifyApiKey(db: DbOrTx, presented: string): Promise<VerifiedApiKey | null> {
  if (!isApiKeyFormat(presented)) return null;
  const [row] = await db
    .update(apiKeys)
    .set({ lastUsedAt: new Date() })
    .where(and(eq(apiKeys.hash, sha256Hex(presented)), isNull(apiKeys.revokedAt)))
    .returning({
      id: apiKeys.id,
      orgId: apiKeys.orgId,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      createdBy: apiKeys.createdBy,
      scopes: apiKeys.scopes,
    });
  return row ?? null;
}

/** Reads `Authorization: Bearer rk_...`; undefined when the header is absent or not a Bearer token. */
export function bearerToken(headers: Headers): string | undefined {
  const value = headers.get("authorization");
  if (!value) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match?.[1];
}

/**
 * Revokes the live keys `userId` created in `orgId`: a key lasts only while its creator could still create it
 * (docs/auth.md, "Revocation"). Returns the revoked keys.
 */
export async function revokeApiKeysCreatedBy(
  db: DbOrTx,
  orgId: string,
  userId: string,
): Promise<{ id: string; name: string; prefix: string }[]> {
  return db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.orgId, orgId), eq(apiKeys.createdBy, userId), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix });
}
