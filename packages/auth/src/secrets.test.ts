import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { createDb } from "@runnel/db";

import { loadServerSecrets, SECRETS_FILE } from "./secrets";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "runnel-secrets-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("loadServerSecrets", () => {
  it("generates both secrets once for the embedded default and keeps them in a 0600 file", () => {
    const dataDir = join(dir, "data");
    const first = loadServerSecrets({ dataDir, env: {} });
    expect(first.authSecret.length).toBeGreaterThanOrEqual(32);
    expect(first.encryptionKey).toHaveLength(32);
    const file = join(dataDir, SECRETS_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8")).toContain(first.encryptionKey.toString("base64"));

    const second = loadServerSecrets({ dataDir, env: {} });
    expect(second.authSecret).toBe(first.authSecret);
    expect(second.encryptionKey.equals(first.encryptionKey)).toBe(true);
  });

  it("leaves the data folder usable by PGlite", async () => {
    const dataDir = join(dir, "data");
    loadServerSecrets({ dataDir, env: {} });
    const handle = await createDb({ dataDir });
    try {
      expect(handle.driver).toBe("pglite");
    } finally {
      await handle.close();
    }
  });

  it("prefers values from the environment", () => {
    const key = randomBytes(32);
    const secrets = loadServerSecrets({
      dataDir: dir,
      env: { AUTH_SECRET: "x".repeat(40), RUNNEL_ENCRYPTION_KEY: key.toString("base64") },
    });
    expect(secrets.authSecret).toBe("x".repeat(40));
    expect(secrets.encryptionKey.equals(key)).toBe(true);
  });

  it("with DATABASE_URL set, refuses to start without RUNNEL_ENCRYPTION_KEY and names the variable", () => {
    const databaseUrl = "postgres://postgres@127.0.0.1:5432/postgres";
    expect(() =>
      loadServerSecrets({ dataDir: dir, databaseUrl, env: { AUTH_SECRET: "x".repeat(40) } }),
    ).toThrow(/^RUNNEL_ENCRYPTION_KEY must be set when DATABASE_URL is set/);
    expect(() =>
      loadServerSecrets({
        dataDir: dir,
        databaseUrl,
        env: { RUNNEL_ENCRYPTION_KEY: randomBytes(32).toString("base64") },
      }),
    ).toThrow(/^AUTH_SECRET must be set/);
    expect(() => loadServerSecrets({ dataDir: dir, databaseUrl, env: {} })).toThrow(
      /AUTH_SECRET and RUNNEL_ENCRYPTION_KEY/,
    );
    expect(() =>
      loadServerSecrets({
        dataDir: dir,
        databaseUrl,
        env: { AUTH_SECRET: "x".repeat(40), RUNNEL_ENCRYPTION_KEY: "not-a-key" },
      }),
    ).toThrow(/RUNNEL_ENCRYPTION_KEY must be the base64 encoding of exactly 32/);
    // Nothing is generated for a server deployment.
    expect(() => statSync(join(dir, SECRETS_FILE))).toThrow();
  });
});
