import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { TestDb } from "@runnel/db/testing";
import { eq } from "@runnel/db";
import { apiKeys } from "@runnel/db/schema";
import { createTestDb } from "@runnel/db/testing";

import { bearerToken, generateApiKey, isApiKeyFormat, verifyApiKey } from "./api-keys";
import { sha256Hex } from "./tokens";
import { registerUser } from "./users";

let h: TestDb;
beforeAll(async () => {
  h = await createTestDb();
});
afterAll(async () => {
  await h.close();
});

describe("API keys", () => {
  it("generates rk_ + 32 random bytes (base64url) with a short display prefix and a SHA-256 hash", () => {
    const { key, prefix, hash } = generateApiKey();
    expect(key).toMatch(/^rk_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key.slice(3), "base64url")).toHaveLength(32);
    expect(prefix).toBe(key.slice(0, 11));
    expect(hash).toBe(sha256Hex(key));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(generateApiKey().key).not.toBe(key);
    expect(isApiKeyFormat(key)).toBe(true);
    expect(isApiKeyFormat("rk_short")).toBe(false);
  });

  it("verifies by hash, updates last use, and rejects revoked, unknown and malformed keys", async () => {
    const { userId, orgId } = await registerUser(h.db, {
      name: "Ada",
      email: "ada@example.com",
      password: "password-123",
    });
    const generated = generateApiKey();
    const [row] = await h.db
      .insert(apiKeys)
      .values({
        orgId,
        name: "ci",
        prefix: generated.prefix,
        hash: generated.hash,
        createdBy: userId,
      })
      .returning();
    if (!row) throw new Error("no api key row");
    expect(row.lastUsedAt).toBeNull();

    expect(await verifyApiKey(h.db, generated.key)).toEqual({
      id: row.id,
      orgId,
      name: "ci",
      prefix: generated.prefix,
      createdBy: userId,
      scopes: [],
    });
    const [used] = await h.db.select().from(apiKeys).where(eq(apiKeys.id, row.id));
    expect(used?.lastUsedAt).toBeInstanceOf(Date);

    expect(await verifyApiKey(h.db, generateApiKey().key)).toBeNull();
    expect(await verifyApiKey(h.db, generated.hash)).toBeNull();
    expect(await verifyApiKey(h.db, `${generated.key}x`)).toBeNull();

    await h.db.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, row.id));
    expect(await verifyApiKey(h.db, generated.key)).toBeNull();
  });

  it("reads Bearer tokens from the Authorization header", () => {
    expect(bearerToken(new Headers({ authorization: "Bearer rk_abc" }))).toBe("rk_abc");
    expect(bearerToken(new Headers({ authorization: "bearer  rk_abc " }))).toBe("rk_abc");
    expect(bearerToken(new Headers({ authorization: "Basic dXNlcjpwYXNz" }))).toBeUndefined();
    expect(bearerToken(new Headers())).toBeUndefined();
  });
});
