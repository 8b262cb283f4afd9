import type { Database } from "@runnel/db";
import type { CredentialsService } from "@runnel/nodes";
import { and, eq, schema } from "@runnel/db";
import { decryptCredential } from "@runnel/db/crypto";

export interface CredentialsServiceOptions {
  db: Database;
  /** 32-byte master key (RUNNEL_ENCRYPTION_KEY decoded). */
  masterKey: Buffer;
  /** The org of the run: only its credentials can be read. */
  orgId: string;
}

/** A credential that cannot be used: missing, of another org, of another type, or undecryptable. */
export class CredentialUnavailableError extends Error {
  override readonly name = "CredentialUnavailableError";
  readonly code = "CREDENTIAL_UNAVAILABLE";
  constructor(
    readonly credentialId: string,
    message: string,
    /** `missing` also covers another org's credential (the two are indistinguishable on purpose). */
    readonly reason: "missing" | "wrongType" | "undecryptable",
  ) {
    super(message);
  }
}

/**
 * Loads and decrypts credentials of one org. A credential of another org answers exactly like a
 * missing one, so ids of other tenants cannot be probed.
 */
export function createCredentialsService({
  db,
  masterKey,
  orgId,
}: CredentialsServiceOptions): CredentialsService {
  async function resolve(credentialId: string, acceptedTypes: readonly string[]) {
    const rows = await db
      .select({ type: schema.credentials.type, secret: schema.credentials.secret })
      .from(schema.credentials)
      .where(and(eq(schema.credentials.id, credentialId), eq(schema.credentials.orgId, orgId)))
      .limit(1);
    const row = rows[0];
    if (row === undefined) {
      throw new CredentialUnavailableError(
        credentialId,
        `Credential ${credentialId} does not exist in this org`,
        "missing",
      );
    }
    if (!acceptedTypes.includes(row.type)) {
      const wanted = acceptedTypes.map((type) => `"${type}"`).join(" or ");
      throw new CredentialUnavailableError(
        credentialId,
        `Credential ${credentialId} is of type "${row.type}", but this node needs a ${wanted} credential`,
        "wrongType",
      );
    }
    try {
      const data = decryptCredential({ masterKey, orgId, credentialId, secret: row.secret });
      return { type: row.type, data };
    } catch (error) {
      throw new CredentialUnavailableError(credentialId, (error as Error).message, "undecryptable");
    }
  }
  return {
    async get(credentialId, expectedType) {
      return (await resolve(credentialId, [expectedType])).data;
    },
    resolve,
  };
}
