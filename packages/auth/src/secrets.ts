import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { parseEncryptionKey } from "@runnel/db/crypto";

export interface ServerSecrets {
  /** Signs and encrypts next-auth's session JWTs. */
  authSecret: string;
  /** 32-byte master key for credential envelope encryption. */
  encryptionKey: Buffer;
}

export interface LoadServerSecretsOptions {
  /** The embedded default's data folder, where generated secrets are kept. */
  dataDir: string;
  /** DATABASE_URL: when set, this is a real deployment and secrets must come from the environment. */
  databaseUrl?: string | undefined;
  env: { AUTH_SECRET?: string | undefined; RUNNEL_ENCRYPTION_KEY?: string | undefined };
}

/** Name of the file (mode 0600) in the data folder that holds generated secrets. */
export const SECRETS_FILE = "runnel-secrets.json";

interface StoredSecrets {
  authSecret: string;
  encryptionKey: string;
}

function isStoredSecrets(value: unknown): value is StoredSecrets {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Record<string, unknown>).authSecret === "string" &&
    typeof (value as Record<string, unknown>).encryptionKey === "string"
  );
}

function readStored(file: string): StoredSecrets | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const parsed: unknown = JSON.parse(text);
  if (!isStoredSecrets(parsed))
    throw new Error(`${file} is not a Runnel secrets file (expected authSecret and encryptionKey)`);
  return parsed;
}

/** Generates the secrets once; a second process racing on the same folder reads what the first wrote. */
function loadOrCreate(dataDir: string): StoredSecrets {
  const file = join(dataDir, SECRETS_FILE);
  const existing = readStored(file);
  if (existing) return existing;
  mkdirSync(dataDir, { recursive: true });
  const fresh: StoredSecrets = {
    authSecret: randomBytes(32).toString("base64url"),
    encryptionKey: randomBytes(32).toString("base64"),
  };
  try {
    writeFileSync(file, JSON.stringify(fresh, null, 2) + "\n", { mode: 0o600, flag: "wx" });
    chmodSync(file, 0o600);
    return fresh;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const winner = readStored(file);
    if (!winner) throw new Error(`${file} vanished while it was being created`, { cause: error });
    return winner;
  }
}

/**
 * The auth secret and the credential master key.
 * - With DATABASE_URL set (a real deployment): AUTH_SECRET and RUNNEL_ENCRYPTION_KEY are required; a missing or
 *   malformed one throws an error naming the variable, so the server refuses to start.
 * - Without it (the embedded default): values from the environment win; anything missing is generated once and
 *   kept in `<dataDir>/runnel-secrets.json` (mode 0600), so restarts keep sessions and credentials readable.
 */
export function loadServerSecrets({
  dataDir,
  databaseUrl,
  env,
}: LoadServerSecretsOptions): ServerSecrets {
  if (databaseUrl) {
    const missing = (["AUTH_SECRET", "RUNNEL_ENCRYPTION_KEY"] as const).filter(
      (name) => !env[name],
    );
    if (missing.length > 0) {
      throw new Error(
        `${missing.join(" and ")} must be set when DATABASE_URL is set (a server deployment keeps its secrets in the environment). ` +
          `Generate values with \`openssl rand -base64 32\`.`,
      );
    }
  }
  const stored = env.AUTH_SECRET && env.RUNNEL_ENCRYPTION_KEY ? undefined : loadOrCreate(dataDir);
  const authSecret = env.AUTH_SECRET ?? stored?.authSecret;
  const encoded = env.RUNNEL_ENCRYPTION_KEY ?? stored?.encryptionKey;
  if (!authSecret || !encoded)
    throw new Error("AUTH_SECRET and RUNNEL_ENCRYPTION_KEY could not be loaded");
  if (authSecret.length < 32) throw new Error("AUTH_SECRET must be at least 32 characters");
  const source = env.RUNNEL_ENCRYPTION_KEY
    ? "RUNNEL_ENCRYPTION_KEY"
    : `RUNNEL_ENCRYPTION_KEY (from ${join(dataDir, SECRETS_FILE)})`;
  return { authSecret, encryptionKey: parseEncryptionKey(encoded, source) };
}
