import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/**
 * Credential envelope encryption (AES-256-GCM).
 *
 * Each credential gets its own random 256-bit data key. The data is encrypted with that data key, and the data
 * key is wrapped (encrypted) with the master key. Both encryptions bind the org id and the credential id as
 * additional authenticated data, so a ciphertext copied into another org's row (or another credential's row)
 * fails to decrypt instead of leaking.
 *
 * Stored format (one string, every part base64url):
 *   `v1.<wrap iv>.<wrapped data key + tag>.<data iv>.<ciphertext + tag>`
 */

const VERSION = "v1";
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface EncryptCredentialInput {
  /** 32-byte master key (RUNNEL_ENCRYPTION_KEY decoded from base64). */
  masterKey: Buffer;
  orgId: string;
  credentialId: string;
  data: Record<string, string>;
}

export interface DecryptCredentialInput {
  masterKey: Buffer;
  orgId: string;
  credentialId: string;
  /** The stored envelope (credentials.secret). */
  secret: string;
}

/** Raised when an envelope is malformed, was made with another key, or belongs to another org or credential. */
export class CredentialDecryptionError extends Error {
  readonly credentialId: string;
  constructor(credentialId: string, reason: string) {
    super(`Credential ${credentialId} could not be decrypted: ${reason}`);
    this.name = "CredentialDecryptionError";
    this.credentialId = credentialId;
  }
}

function checkMasterKey(masterKey: Buffer): void {
  if (masterKey.length !== KEY_BYTES) {
    throw new Error(
      `The encryption master key must be ${KEY_BYTES} bytes (got ${masterKey.length})`,
    );
  }
}

function aad(purpose: "dek" | "data", orgId: string, credentialId: string): Buffer {
  return Buffer.from(
    JSON.stringify(["runnel.credential", VERSION, purpose, orgId, credentialId]),
    "utf8",
  );
}

function seal(
  key: Buffer,
  plaintext: Buffer,
  additionalData: Buffer,
): { iv: Buffer; sealed: Buffer } {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, sealed: Buffer.concat([body, cipher.getAuthTag()]) };
}

function open(key: Buffer, iv: Buffer, sealed: Buffer, additionalData: Buffer): Buffer {
  if (iv.length !== IV_BYTES || sealed.length < TAG_BYTES) throw new Error("truncated envelope");
  const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(additionalData);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  return Buffer.concat([
    decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)),
    decipher.final(),
  ]);
}

/** Encrypts a credential's secret fields for storage in credentials.secret. */
export function encryptCredential({
  masterKey,
  orgId,
  credentialId,
  data,
}: EncryptCredentialInput): string {
  checkMasterKey(masterKey);
  const dataKey = randomBytes(KEY_BYTES);
  try {
    const wrapped = seal(masterKey, dataKey, aad("dek", orgId, credentialId));
    const payload = seal(
      dataKey,
      Buffer.from(JSON.stringify(data), "utf8"),
      aad("data", orgId, credentialId),
    );
    return [VERSION, wrapped.iv, wrapped.sealed, payload.iv, payload.sealed]
      .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
      .join(".");
  } finally {
    dataKey.fill(0);
  }
}

/** Decrypts credentials.secret; throws CredentialDecryptionError naming the credential when it cannot. */
export function decryptCredential({
  masterKey,
  orgId,
  credentialId,
  secret,
}: DecryptCredentialInput): Record<string, string> {
  checkMasterKey(masterKey);
  const parts = secret.split(".");
  const [version, wrapIv, wrappedKey, dataIv, payload] = parts;
  if (parts.length !== 5 || version !== VERSION || !wrapIv || !wrappedKey || !dataIv || !payload) {
    throw new CredentialDecryptionError(
      credentialId,
      `unknown envelope format (expected ${VERSION} with 5 parts)`,
    );
  }
  let dataKey: Buffer;
  try {
    dataKey = open(
      masterKey,
      Buffer.from(wrapIv, "base64url"),
      Buffer.from(wrappedKey, "base64url"),
      aad("dek", orgId, credentialId),
    );
  } catch {
    throw new CredentialDecryptionError(
      credentialId,
      "wrong master key, or the ciphertext belongs to another org or credential",
    );
  }
  let plaintext: Buffer;
  try {
    plaintext = open(
      dataKey,
      Buffer.from(dataIv, "base64url"),
      Buffer.from(payload, "base64url"),
      aad("data", orgId, credentialId),
    );
  } catch {
    throw new CredentialDecryptionError(credentialId, "the payload was tampered with");
  } finally {
    dataKey.fill(0);
  }
  const parsed: unknown = JSON.parse(plaintext.toString("utf8"));
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new CredentialDecryptionError(credentialId, "the payload is not an object of strings");
  }
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== "string") {
      throw new CredentialDecryptionError(credentialId, `field ${key} is not a string`);
    }
    result[key] = value;
  }
  return result;
}

/** Decodes RUNNEL_ENCRYPTION_KEY (base64 of 32 bytes); the error names the variable. */
export function parseEncryptionKey(value: string, variable = "RUNNEL_ENCRYPTION_KEY"): Buffer {
  const key = Buffer.from(value, "base64");
  if (
    key.length !== KEY_BYTES ||
    key.toString("base64").replace(/=+$/, "") !== value.trim().replace(/=+$/, "")
  ) {
    throw new Error(
      `${variable} must be the base64 encoding of exactly ${KEY_BYTES} random bytes (e.g. \`openssl rand -base64 32\`)`,
    );
  }
  return key;
}
