import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

import { applyMigrations } from "./client";
import { createDbFromEnv, dbEnv, resolveDataDir, testDbEnv } from "./env";
import { users } from "./schema";

const tempDirs: string[] = [];
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function thrownMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error("expected a throw");
}

describe("dbEnv", () => {
  it("accepts an empty environment and postgres URLs", () => {
    expect(dbEnv({})).toMatchObject({ DATABASE_URL: undefined, RUNNEL_DATA_DIR: undefined });
    expect(dbEnv({ DATABASE_URL: "", RUNNEL_DATA_DIR: "" })).toMatchObject({
      DATABASE_URL: undefined,
    });
    expect(dbEnv({ DATABASE_URL: "postgresql://u:p@db.example.com:5432/app" }).DATABASE_URL).toBe(
      "postgresql://u:p@db.example.com:5432/app",
    );
  });

  it("names the variable and what is accepted, never the value", () => {
    const attempt = () => dbEnv({ DATABASE_URL: "mysql://root:hunter2@db/app" });
    expect(attempt).toThrow(
      "Invalid environment: DATABASE_URL: DATABASE_URL must be a postgres:// or postgresql:// URL " +
        "(unset it to use the embedded PGlite database)",
    );
    expect(thrownMessage(attempt)).not.toContain("hunter2");
    expect(() => dbEnv({ DATABASE_URL: "not a url" })).toThrow(
      /DATABASE_URL: DATABASE_URL must be a postgres/,
    );
    expect(() => testDbEnv({ TEST_DATABASE_URL: "http://127.0.0.1" })).toThrow(
      /^Invalid environment: TEST_DATABASE_URL/,
    );
  });
});

describe("resolveDataDir", () => {
  it("defaults to .runnel/data under the working directory and resolves relative paths against it", () => {
    expect(resolveDataDir({}, "/srv/runnel")).toBe("/srv/runnel/.runnel/data");
    expect(resolveDataDir({ RUNNEL_DATA_DIR: "state" }, "/srv/runnel")).toBe("/srv/runnel/state");
    expect(resolveDataDir({ RUNNEL_DATA_DIR: "/var/lib/runnel" }, "/srv/runnel")).toBe(
      "/var/lib/runnel",
    );
  });
});

describe("createDbFromEnv", () => {
  it("opens PGlite in the data folder when DATABASE_URL is unset", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "runnel-env-test-"));
    tempDirs.push(cwd);
    const handle = await createDbFromEnv({ env: dbEnv({ RUNNEL_DATA_DIR: "data" }), cwd });
    try {
      expect(handle.driver).toBe("pglite");
      await applyMigrations(handle);
      await handle.db.insert(users).values({ email: "env@example.com" });
      expect(existsSync(join(cwd, "data", "PG_VERSION"))).toBe(true);
    } finally {
      await handle.close();
    }
  });

  it("uses the server driver that DATABASE_URL names, without connecting yet", async () => {
    const handle = await createDbFromEnv({
      env: dbEnv({ DATABASE_URL: "postgres://u@127.0.0.1:1/app" }),
    });
    expect(handle.driver).toBe("pg");
    await handle.close();
  });
});
