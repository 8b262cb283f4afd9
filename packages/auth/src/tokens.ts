import { createHash, randomBytes } from "node:crypto";

/** 32 random bytes, base64url: for invite links and other bearer tokens. */
export function generateToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Hex SHA-256: how bearer tokens (API keys, invite tokens) are stored. */
export function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}
