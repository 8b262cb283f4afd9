import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { sha256Hex } from "@runnel/auth";
import { eq } from "@runnel/db";
import { apiKeys, auditLog } from "@runnel/db/schema";

import type { Harness } from "../../test/harness";
import { createHarness, failure } from "../../test/harness";

let t: Harness;
beforeAll(async () => {
  t = await createHarness();
});
afterAll(async () => {
  await t.close();
});

describe("apiKeys", () => {
  it("create shows the key once; only its SHA-256 is stored; list never returns it", async () => {
    const ada = await t.user("Ada");
    const created = await ada.caller.apiKeys.create({ name: "CI" });
    expect(created.key).toMatch(/^rk_[A-Za-z0-9_-]{43}$/);
    expect(created.prefix).toBe(created.key.slice(0, 11));
    const [row] = await t.db.select().from(apiKeys).where(eq(apiKeys.id, created.id));
    expect(row?.hash).toBe(sha256Hex(created.key));
    expect(JSON.stringify(row)).not.toContain(created.key);

    const list = await ada.caller.apiKeys.list();
    expect(list).toEqual([
      {
        id: created.id,
        name: "CI",
        prefix: created.prefix,
        scopes: [],
        createdAt: created.createdAt,
        lastUsedAt: null,
        revokedAt: null,
      },
    ]);
    expect(JSON.stringify(list)).not.toContain(created.key);
    expect(JSON.stringify(list)).not.toContain(row?.hash);

    // Using the key records its last use.
    await (
      await t.caller({ headers: { authorization: `Bearer ${created.key}` } })
    ).credentials.list();
    expect((await ada.caller.apiKeys.list())[0]?.lastUsedAt).toBeInstanceOf(Date);
    const audit = await t.db.select().from(auditLog).where(eq(auditLog.targetId, created.id));
    expect(audit.map((a) => a.action)).toEqual(["api_key.created"]);
    expect(JSON.stringify(audit)).not.toContain(created.key);
  });

  it("scopes: a read-only key is stored, listed and acts as a viewer; duplicates are dropped", async () => {
    const ada = await t.user("Ada");
    const reader = await ada.caller.apiKeys.create({
      name: "dashboards",
      scopes: ["runs:read", "runs:read"],
    });
    expect(reader.scopes).toEqual(["runs:read"]);
    const writer = await ada.caller.apiKeys.create({ name: "ci", scopes: ["runs:write"] });
    const [row] = await t.db.select().from(apiKeys).where(eq(apiKeys.id, reader.id));
    expect(row?.scopes).toEqual(["runs:read"]);
    const list = await ada.caller.apiKeys.list();
    expect(list.map((k) => [k.name, k.scopes])).toEqual(
      expect.arrayContaining([
        ["dashboards", ["runs:read"]],
        ["ci", ["runs:write"]],
      ]),
    );

    const asReader = await t.caller({ headers: { authorization: `Bearer ${reader.key}` } });
    expect((await asReader.me.get()).activeOrg.role).toBe("viewer");
    expect((await failure(asReader.credentials.delete({ id: "x" }))).code).toBe("FORBIDDEN");
    const asWriter = await t.caller({ headers: { authorization: `Bearer ${writer.key}` } });
    expect((await asWriter.me.get()).activeOrg.role).toBe("editor");

    const audit = await t.db.select().from(auditLog).where(eq(auditLog.targetId, reader.id));
    expect(audit[0]?.metadata).toMatchObject({ scopes: ["runs:read"] });
  });

  it("an unknown scope → BAD_REQUEST with a field error naming it; no key is made", async () => {
    const ada = await t.user("Ada");
    const error = await failure(
      ada.caller.apiKeys.create({ name: "k", scopes: ["runs:read", "flows:delete"] }),
    );
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.fieldErrors).toEqual({
      "scopes.1": ['Unknown scope "flows:delete"; known scopes: runs:read, runs:write, mcp'],
    });
    const rows = await t.db.select().from(apiKeys).where(eq(apiKeys.orgId, ada.orgId));
    expect(rows).toEqual([]);
  });

  it("revoke → the key is refused (UNAUTHORIZED) on the very next request; audited", async () => {
    const ada = await t.user("Ada");
    const created = await ada.caller.apiKeys.create({ name: "deploy" });
    const headers = { authorization: `Bearer ${created.key}` };
    expect((await (await t.caller({ headers })).me.get()).activeOrg.id).toBe(ada.orgId);
    const revoked = await ada.caller.apiKeys.revoke({ id: created.id });
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    await expect(t.caller({ headers })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await t.auditActions(ada.orgId)).toContain("api_key.revoked");
    // Revoking again is a no-op that answers the same row.
    expect((await ada.caller.apiKeys.revoke({ id: created.id })).revokedAt).toEqual(
      revoked.revokedAt,
    );
  });

  it("an unknown or malformed key → UNAUTHORIZED even with a valid session", async () => {
    const ada = await t.user("Ada");
    for (const authorization of [`Bearer rk_${"A".repeat(43)}`, "Bearer nonsense"]) {
      await expect(
        t.caller({ userId: ada.userId, headers: { authorization } }),
      ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    }
  });

  it("a viewer may list but not create or revoke (FORBIDDEN, nothing written); an API key (editor) cannot create keys", async () => {
    const ada = await t.user("Ada");
    const vi = await t.user("Vi");
    await t.addMember(ada.orgId, vi.userId, "viewer");
    const key = await ada.caller.apiKeys.create({ name: "k" });
    const asVi = await t.caller({ userId: vi.userId, org: ada.orgId });
    expect(await asVi.apiKeys.list()).toHaveLength(1);
    expect((await failure(asVi.apiKeys.create({ name: "mine" }))).code).toBe("FORBIDDEN");
    expect((await failure(asVi.apiKeys.revoke({ id: key.id }))).code).toBe("FORBIDDEN");
    const asKey = await t.caller({ headers: { authorization: `Bearer ${key.key}` } });
    expect((await failure(asKey.apiKeys.create({ name: "escalate" }))).code).toBe("FORBIDDEN");
    const rows = await t.db.select().from(apiKeys).where(eq(apiKeys.orgId, ada.orgId));
    expect(rows.map((r) => [r.name, r.revokedAt])).toEqual([["k", null]]);
  });

  it("another org's key id → NOT_FOUND and the key keeps working", async () => {
    const ada = await t.user("Ada");
    const eve = await t.user("Eve");
    const key = await ada.caller.apiKeys.create({ name: "k" });
    expect((await failure(eve.caller.apiKeys.revoke({ id: key.id }))).code).toBe("NOT_FOUND");
    expect(await eve.caller.apiKeys.list()).toEqual([]);
    expect(
      (await (await t.caller({ headers: { authorization: `Bearer ${key.key}` } })).me.get())
        .activeOrg.id,
    ).toBe(ada.orgId);
  });
});
