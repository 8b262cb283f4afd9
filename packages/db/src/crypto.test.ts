import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";

import {
  CredentialDecryptionError,
  decryptCredential,
  encryptCredential,
  parseEncryptionKey,
} from "./crypto";

const masterKey = randomBytes(32);
const data = { apiKey: "sk-test-123", baseUrl: "http://127.0.0.1:9999/v1" };

describe("credential envelope encryption", () => {
  it("round-trips and never contains the plaintext", () => {
    const secret = encryptCredential({ masterKey, orgId: "org-a", credentialId: "cred-1", data });
    expect(secret.startsWith("v1.")).toBe(true);
    expect(secret).not.toContain("sk-test-123");
    expect(
      Buffer.from(secret.split(".").slice(1).join(""), "base64url").toString("latin1"),
    ).not.toContain("sk-test");
    expect(
      decryptCredential({ masterKey, orgId: "org-a", credentialId: "cred-1", secret }),
    ).toEqual(data);
  });

  it("uses a fresh data key and IVs each time", () => {
    const a = encryptCredential({ masterKey, orgId: "org-a", credentialId: "cred-1", data });
    const b = encryptCredential({ masterKey, orgId: "org-a", credentialId: "cred-1", data });
    expect(a).not.toBe(b);
  });

  it("fails to decrypt when bound to another org or another credential", () => {
    const secret = encryptCredential({ masterKey, orgId: "org-a", credentialId: "cred-1", data });
    expect(() =>
      decryptCredential({ masterKey, orgId: "org-b", credentialId: "cred-1", secret }),
    ).toThrow(CredentialDecryptionError);
    expect(() =>
      decryptCredential({ masterKey, orgId: "org-a", credentialId: "cred-2", secret }),
    ).toThrow(/cred-2 could not be decrypted/);
  });

  it("fails with another master key, a tampered payload or a malformed envelope", () => {
    const secret = encryptCredential({ masterKey, orgId: "org-a", credentialId: "cred-1", data });
    expect(() =>
      decryptCredential({
        masterKey: randomBytes(32),
        orgId: "org-a",
        credentialId: "cred-1",
        secret,
      }),
    ).toThrow(/wrong master key/);
    const parts = secret.split(".");
    const payload = Buffer.from(parts[4] ?? "", "base64url");
    payload[0] = (payload[0] ?? 0) ^ 1;
    const tampered = [...parts.slice(0, 4), payload.toString("base64url")].join(".");
    expect(() =>
      decryptCredential({ masterKey, orgId: "org-a", credentialId: "cred-1", secret: tampered }),
    ).toThrow(/tampered/);
    expect(() =>
      decryptCredential({
        masterKey,
        orgId: "org-a",
        credentialId: "cred-1",
        secret: "plain text",
      }),
    ).toThrow(/unknown envelope format/);
  });

  it("rejects a master key of the wrong size", () => {
    expect(() =>
      encryptCredential({ masterKey: randomBytes(16), orgId: "o", credentialId: "c", data }),
    ).toThrow(/32 bytes/);
  });

  it("parses RUNNEL_ENCRYPTION_KEY and names the variable when it is wrong", () => {
    const encoded = randomBytes(32).toString("base64");
    expect(parseEncryptionKey(encoded)).toHaveLength(32);
    expect(() => parseEncryptionKey("too-short")).toThrow(/RUNNEL_ENCRYPTION_KEY/);
    expect(() => parseEncryptionKey(randomBytes(16).toString("base64"))).toThrow(
      /RUNNEL_ENCRYPTION_KEY/,
    );
  });
});
