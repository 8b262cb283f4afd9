import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { eq } from "@runnel/db";
import { CredentialDecryptionError, decryptCredential } from "@runnel/db/crypto";
import { credentials } from "@runnel/db/schema";

import type { Harness } from "../../test/harness";
import { createHarness, failure } from "../../test/harness";

let t: Harness;
beforeAll(async () => {
  t = await createHarness();
});
afterAll(async () => {
  await t.close();
});

const SECRET = "sk-live-SUPERSECRET-123";

async function stored(id: string) {
  const [row] = await t.db.select().from(credentials).where(eq(credentials.id, id));
  if (!row) throw new Error(`credential ${id} not in the database`);
  return row;
}

describe("credentials", () => {
  it("types lists each type with a JSON Schema of its fields", async () => {
    const ada = await t.user("Ada");
    const types = await ada.caller.credentials.types();
    expect(types.map((x) => x.type)).toEqual([
      "openai",
      "openaiCompatible",
      "anthropic",
      "gemini",
      "httpBearer",
      "httpBasic",
      "httpHeader",
      "mcp",
    ]);
    expect(types.find((x) => x.type === "mcp")?.schema).toMatchObject({
      properties: {
        bearerToken: { type: "string", writeOnly: true },
        headers: { type: "string", writeOnly: true },
      },
    });
    expect(types.filter((x) => x.modelProvider).map((x) => x.type)).toEqual([
      "openai",
      "openaiCompatible",
      "anthropic",
      "gemini",
    ]);
    const openai = types.find((x) => x.type === "openai");
    expect(openai?.schema).toMatchObject({
      type: "object",
      required: ["apiKey"],
      properties: {
        apiKey: { type: "string", writeOnly: true },
        baseUrl: { type: "string", format: "uri" },
      },
      additionalProperties: false,
    });
  });

  it("create / list / update / delete never return the secret; it is stored encrypted and bound to the org", async () => {
    const ada = await t.user("Ada");
    const created = await ada.caller.credentials.create({
      type: "openai",
      name: "OpenAI",
      data: { apiKey: SECRET, baseUrl: "" },
    });
    expect(Object.keys(created).sort()).toEqual(["createdAt", "id", "name", "type", "updatedAt"]);
    const row = await stored(created.id);
    expect(row.secret).not.toContain(SECRET);
    expect(
      decryptCredential({
        masterKey: t.encryptionKey,
        orgId: ada.orgId,
        credentialId: created.id,
        secret: row.secret,
      }),
    ).toEqual({ apiKey: SECRET });

    const list = await ada.caller.credentials.list();
    const renamed = await ada.caller.credentials.update({ id: created.id, name: "OpenAI prod" });
    const rekeyed = await ada.caller.credentials.update({
      id: created.id,
      data: { apiKey: "", baseUrl: "http://127.0.0.1:9/v1" },
    });
    for (const response of [created, list, renamed, rekeyed]) {
      const json = JSON.stringify(response);
      expect(json).not.toContain(SECRET);
      expect(json).not.toContain(row.secret);
    }
    expect(list).toEqual([{ ...created, settings: {} }]);
    expect(rekeyed.name).toBe("OpenAI prod");
    // Blank fields keep their stored value; given fields replace it.
    const after = await stored(created.id);
    expect(
      decryptCredential({
        masterKey: t.encryptionKey,
        orgId: ada.orgId,
        credentialId: created.id,
        secret: after.secret,
      }),
    ).toEqual({
      apiKey: SECRET,
      baseUrl: "http://127.0.0.1:9/v1",
    });

    expect(await ada.caller.credentials.delete({ id: created.id })).toEqual({ id: created.id });
    expect(await ada.caller.credentials.list()).toEqual([]);
    expect(await t.auditActions(ada.orgId)).toEqual(
      expect.arrayContaining([
        "credential.created",
        "credential.updated",
        "credential.updated",
        "credential.deleted",
      ]),
    );
  });

  it("data is validated against the type: field errors under data.<field>, nothing written", async () => {
    const ada = await t.user("Ada");
    const missing = await failure(
      ada.caller.credentials.create({ type: "openai", name: "x", data: { apiKey: "" } }),
    );
    expect(missing.code).toBe("BAD_REQUEST");
    expect(missing.fieldErrors?.["data.apiKey"]).toBeDefined();
    const badUrl = await failure(
      ada.caller.credentials.create({
        type: "openai",
        name: "x",
        data: { apiKey: "k", baseUrl: "ftp://x" },
      }),
    );
    expect(badUrl.fieldErrors).toEqual({ "data.baseUrl": ["Base URL must be an http(s) URL"] });
    const badType = await failure(
      ada.caller.credentials.create({ type: "nope" as never, name: "x", data: {} }),
    );
    expect(Object.keys(badType.fieldErrors ?? {})).toEqual(["type"]);
    const badHeader = await failure(
      ada.caller.credentials.create({
        type: "httpHeader",
        name: "x",
        data: { name: "X Bad", value: "v" },
      }),
    );
    expect(Object.keys(badHeader.fieldErrors ?? {})).toEqual(["data.name"]);
    expect(await ada.caller.credentials.list()).toEqual([]);
  });

  it("a viewer calling an editor mutation → FORBIDDEN with no side effect", async () => {
    const ada = await t.user("Ada");
    const vi = await t.user("Vi");
    await t.addMember(ada.orgId, vi.userId, "viewer");
    const cred = await ada.caller.credentials.create({
      type: "httpBearer",
      name: "token",
      data: { token: SECRET },
    });
    const before = await stored(cred.id);
    const asVi = await t.caller({ userId: vi.userId, org: ada.orgId });
    expect(await asVi.credentials.list()).toHaveLength(1);
    expect(
      (
        await failure(
          asVi.credentials.create({ type: "httpBearer", name: "mine", data: { token: "t" } }),
        )
      ).code,
    ).toBe("FORBIDDEN");
    expect((await failure(asVi.credentials.update({ id: cred.id, name: "hacked" }))).code).toBe(
      "FORBIDDEN",
    );
    expect((await failure(asVi.credentials.delete({ id: cred.id }))).code).toBe("FORBIDDEN");
    expect(await stored(cred.id)).toEqual(before);
    expect(await asVi.credentials.list()).toHaveLength(1);
  });

  it("another org's credential id → NOT_FOUND for update and delete, untouched", async () => {
    const ada = await t.user("Ada");
    const eve = await t.user("Eve");
    const cred = await ada.caller.credentials.create({
      type: "httpBasic",
      name: "basic",
      data: { username: "u", password: SECRET },
    });
    const before = await stored(cred.id);
    expect(
      (await failure(eve.caller.credentials.update({ id: cred.id, name: "mine now" }))).code,
    ).toBe("NOT_FOUND");
    expect(
      (await failure(eve.caller.credentials.update({ id: cred.id, data: { password: "x" } }))).code,
    ).toBe("NOT_FOUND");
    expect((await failure(eve.caller.credentials.delete({ id: cred.id }))).code).toBe("NOT_FOUND");
    expect(await eve.caller.credentials.list()).toEqual([]);
    expect(await stored(cred.id)).toEqual(before);
  });

  it("an orgId in the body is rejected and does not change the org a credential lands in", async () => {
    const ada = await t.user("Ada");
    const eve = await t.user("Eve");
    const input = { type: "httpBearer", name: "smuggled", data: { token: "t" }, orgId: ada.orgId };
    expect((await failure(eve.caller.credentials.create(input as never))).code).toBe("BAD_REQUEST");
    expect(await ada.caller.credentials.list()).toEqual([]);
    expect(await eve.caller.credentials.list()).toEqual([]);
  });

  it("a ciphertext copied into another org's row fails to decrypt", async () => {
    const ada = await t.user("Ada");
    const eve = await t.user("Eve");
    const adas = await ada.caller.credentials.create({
      type: "httpBearer",
      name: "a",
      data: { token: SECRET },
    });
    const eves = await eve.caller.credentials.create({
      type: "httpBearer",
      name: "e",
      data: { token: "eve-token" },
    });
    const { secret } = await stored(adas.id);
    await t.db.update(credentials).set({ secret }).where(eq(credentials.id, eves.id));
    expect(() =>
      decryptCredential({
        masterKey: t.encryptionKey,
        orgId: eve.orgId,
        credentialId: eves.id,
        secret,
      }),
    ).toThrow(CredentialDecryptionError);
    // The API cannot be tricked into re-encrypting it for Eve either.
    expect(
      (await failure(eve.caller.credentials.update({ id: eves.id, data: { token: "new" } })))
        .message,
    ).toMatch(/could not be decrypted/);
  });
});
