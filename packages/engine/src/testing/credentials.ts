import { randomUUID } from "node:crypto";

import type { Database } from "@runnel/db";
import { schema } from "@runnel/db";
import { encryptCredential } from "@runnel/db/crypto";

/** Inserts an org (when it does not exist yet) for tests. */
export async function seedOrg(db: Database, orgId: string = randomUUID()): Promise<string> {
  await db
    .insert(schema.orgs)
    .values({ id: orgId, name: `Org ${orgId}`, slug: `org-${orgId}` })
    .onConflictDoNothing();
  return orgId;
}

/** Encrypts and stores a credential of `orgId` for tests; returns its id. */
export async function seedCredential(
  db: Database,
  input: {
    masterKey: Buffer;
    orgId: string;
    type: string;
    data: Record<string, string>;
    name?: string;
  },
): Promise<string> {
  const id = randomUUID();
  await db.insert(schema.credentials).values({
    id,
    orgId: input.orgId,
    type: input.type,
    name: input.name ?? `${input.type} (test)`,
    secret: encryptCredential({
      masterKey: input.masterKey,
      orgId: input.orgId,
      credentialId: id,
      data: input.data,
    }),
  });
  return id;
}
