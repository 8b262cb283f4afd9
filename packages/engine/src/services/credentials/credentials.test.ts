import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { DbHandle } from "@runnel/db";
import { applyMigrations, createDb, eq, schema } from "@runnel/db";
import { encryptCredential } from "@runnel/db/crypto";

import { createCredentialsService, CredentialUnavailableError } from "./credentials";

const masterKey = randomBytes(32);
let handle: DbHandle;
const orgA = randomUUID();
const orgB = randomUUID();
const openaiOfA = randomUUID();
const bearerOfB = randomUUID();

async function addCredential(
  orgId: string,
  id: string,
  type: string,
  data: Record<string, string>,
): Promise<void> {
  await handle.db.insert(schema.credentials).values({
    id,
    orgId,
    type,
    name: `${type} credential`,
    secret: encryptCredential({ masterKey, orgId, credentialId: id, data }),
  });
}

beforeAll(async () => {
  handle = await createDb();
  await applyMigrations(handle);
  await handle.db.insert(schema.orgs).values([
    { id: orgA, name: "A", slug: `a-${orgA}` },
    { id: orgB, name: "B", slug: `b-${orgB}` },
  ]);
  await addCredential(orgA, openaiOfA, "openai", {
    apiKey: "sk-a",
    baseUrl: "http://127.0.0.1:1/v1",
  });
  await addCredential(orgB, bearerOfB, "httpBearer", { token: "tok-b" });
}, 60_000);

afterAll(async () => {
  await handle.close();
});

async function failure(promise: Promise<unknown>): Promise<CredentialUnavailableError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CredentialUnavailableError);
  return error as CredentialUnavailableError;
}

describe("credentials service", () => {
  it("decrypts a credential of the run's org", async () => {
    const credentials = createCredentialsService({ db: handle.db, masterKey, orgId: orgA });
    expect(await credentials.get(openaiOfA, "openai")).toEqual({
      apiKey: "sk-a",
      baseUrl: "http://127.0.0.1:1/v1",
    });
  });

  it("refuses another org's credential exactly like a missing one", async () => {
    const credentials = createCredentialsService({ db: handle.db, masterKey, orgId: orgA });
    const foreign = await failure(credentials.get(bearerOfB, "httpBearer"));
    const missing = await failure(credentials.get("does-not-exist", "httpBearer"));
    expect(foreign.message).toBe(`Credential ${bearerOfB} does not exist in this org`);
    expect(missing.message).toBe("Credential does-not-exist does not exist in this org");
    expect(foreign.message).not.toContain("tok-b");
  });

  it("refuses a credential of the wrong type, naming it", async () => {
    const credentials = createCredentialsService({ db: handle.db, masterKey, orgId: orgA });
    const error = await failure(credentials.get(openaiOfA, "httpBasic"));
    expect(error.credentialId).toBe(openaiOfA);
    expect(error.message).toBe(
      `Credential ${openaiOfA} is of type "openai", but this node needs a "httpBasic" credential`,
    );
  });

  it("fails to decrypt a ciphertext moved into another org's row", async () => {
    const moved = randomUUID();
    const [source] = await handle.db
      .select()
      .from(schema.credentials)
      .where(eq(schema.credentials.id, bearerOfB));
    expect(source).toBeDefined();
    await handle.db.insert(schema.credentials).values({
      id: moved,
      orgId: orgA,
      type: "httpBearer",
      name: "stolen",
      secret: source?.secret ?? "",
    });
    const credentials = createCredentialsService({ db: handle.db, masterKey, orgId: orgA });
    const error = await failure(credentials.get(moved, "httpBearer"));
    expect(error.message).toMatch(new RegExp(`Credential ${moved} could not be decrypted`));
  });

  it("fails with a wrong master key", async () => {
    const credentials = createCredentialsService({
      db: handle.db,
      masterKey: randomBytes(32),
      orgId: orgA,
    });
    await failure(credentials.get(openaiOfA, "openai"));
  });
});
