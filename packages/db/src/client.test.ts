import type { AddressInfo } from "node:net";
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";

import { applyMigrations, createDb, detectDriver, queryRows } from "./client";
import { LOCK_FILE, parseLockRecord } from "./pglite-lock";
import { users } from "./schema";

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "runnel-db-test-"));
  tempDirs.push(dir);
  return dir;
}
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

describe("detectDriver", () => {
  it("picks the driver from the URL", () => {
    expect(detectDriver(undefined)).toBe("pglite");
    expect(detectDriver("")).toBe("pglite");
    expect(detectDriver("postgres://u@127.0.0.1:5432/db")).toBe("pg");
    expect(detectDriver("postgresql://u:p@db.internal/db")).toBe("pg");
    expect(detectDriver("postgresql://u:p@ep-cool-1.eu-central-1.aws.neon.tech/db")).toBe("neon");
    expect(detectDriver("postgres://u:p@ep-x.us-east-2.aws.NEON.TECH/db?sslmode=require")).toBe(
      "neon",
    );
    expect(detectDriver("postgres://u:p@neon.tech.example.com/db")).toBe("pg");
  });

  it("rejects other URLs with a message that names the setting and hides the value", () => {
    expect(() => detectDriver("mysql://root:hunter2@db/app")).toThrow(
      "DATABASE_URL must start with postgres:// or postgresql:// (got mysql://…)",
    );
    expect(() => detectDriver("not a url with hunter2")).toThrow(
      /^DATABASE_URL is not a valid URL/,
    );
    expect(() => detectDriver("postgres://")).toThrow(/DATABASE_URL has no host/);
    expect(() => detectDriver("http://x", "TEST_DATABASE_URL")).toThrow(
      /^TEST_DATABASE_URL must start/,
    );
    for (const bad of ["mysql://root:hunter2@db/app", "not a url with hunter2"]) {
      expect(thrownMessage(() => detectDriver(bad))).not.toContain("hunter2");
    }
  });
});

describe("createDb", () => {
  it("opens in-memory PGlite with pgvector and applies the migrations", async () => {
    const handle = await createDb();
    try {
      expect(handle.driver).toBe("pglite");
      await applyMigrations(handle);
      const [row] = await handle.db.insert(users).values({ email: "a@example.com" }).returning();
      expect(row?.email).toBe("a@example.com");
      const ext = await queryRows<{ extname: string }>(
        handle.db,
        sql`select extname from pg_extension where extname = 'vector'`,
      );
      expect(ext).toEqual([{ extname: "vector" }]);
    } finally {
      await handle.close();
    }
  });

  it("keeps a PGlite data folder across close and reopen", async () => {
    const dataDir = join(tempDir(), "nested", "data");
    const first = await createDb({ dataDir });
    await applyMigrations(first);
    await first.db.insert(users).values({ email: "kept@example.com", name: "Kept" });
    await first.close();
    await first.close();

    const second = await createDb({ dataDir });
    try {
      await applyMigrations(second);
      const rows = await second.db.select().from(users).where(eq(users.email, "kept@example.com"));
      expect(rows.map((row) => row.name)).toEqual(["Kept"]);
      expect(await second.db.$count(users)).toBe(1);
    } finally {
      await second.close();
    }
  });

  it("refuses a second open of a PGlite data folder, in this process or another", async () => {
    const dataDir = tempDir();
    const lockFile = join(dataDir, LOCK_FILE);
    const first = await createDb({ dataDir });
    expect(parseLockRecord(readFileSync(lockFile, "utf8"))?.pid).toBe(process.pid);
    await expect(createDb({ dataDir })).rejects.toThrow(
      `The PGlite data folder ${dataDir} is already open in this process`,
    );
    await first.close();
    expect(existsSync(lockFile)).toBe(false);

    const other = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], {
      stdio: "ignore",
    });
    try {
      writeFileSync(lockFile, `${other.pid}\n`);
      await expect(createDb({ dataDir })).rejects.toThrow(
        `The PGlite data folder ${dataDir} is already open in process ${other.pid}. PGlite is single-process`,
      );
    } finally {
      other.kill("SIGKILL");
      await once(other, "exit");
    }
    // The holder is gone: its lock is stale and taken over. So is a lock naming this process that it does not hold.
    const second = await createDb({ dataDir });
    await second.close();
    writeFileSync(lockFile, `${process.pid}\n`);
    const third = await createDb({ dataDir });
    await third.close();
  });

  it("refuses options that do not fit the driver", async () => {
    await expect(createDb({ driver: "pglite", url: "postgres://u@127.0.0.1/db" })).rejects.toThrow(
      "The pglite driver opens a local data folder; it cannot use DATABASE_URL (a server URL)",
    );
    await expect(createDb({ driver: "pg" })).rejects.toThrow(
      "DATABASE_URL is required for the pg driver",
    );
    await expect(createDb({ url: "postgres://u@127.0.0.1/db", dataDir: "/tmp/x" })).rejects.toThrow(
      "dataDir is only for the pglite driver (got driver pg)",
    );
    await expect(createDb({ url: "mysql://u@127.0.0.1/db" })).rejects.toThrow(
      /must start with postgres:\/\//,
    );
  });

  it("fails a query with a connection error when the server is not there, and closes twice", async () => {
    const handle = await createDb({
      url: "postgres://u@127.0.0.1:1/db",
      connectionTimeoutMs: 2_000,
    });
    await expect(handle.db.select().from(users)).rejects.toSatisfy((error: unknown) =>
      /ECONNREFUSED/.test(
        String(
          error instanceof Error && error.cause instanceof Error ? error.cause.message : error,
        ),
      ),
    );
    await handle.close();
    await handle.close();
  });

  it("opens nothing when the package is imported", async () => {
    const connections: number[] = [];
    const server = createServer((socket) => {
      connections.push(Date.now());
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const cwd = tempDir();
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
    const entries = ["./index.ts", "./testing/index.ts", "./env.ts", "./schema/index.ts"].map(
      (entry) => pathToFileURL(fileURLToPath(new URL(entry, import.meta.url))).href,
    );
    const script = `for (const entry of ${JSON.stringify(entries)}) await import(entry); console.log("imported");`;
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ["--import", tsx, "--input-type=module", "-e", script],
        {
          cwd,
          // No DATABASE_URL: opening would create the PGlite folder in cwd; the test server counts connections.
          env: { PATH: "", TEST_DATABASE_URL: `postgres://u@127.0.0.1:${port}/db` },
        },
      );
      expect(stdout.trim()).toBe("imported");
      expect(connections).toEqual([]);
      expect(existsSync(join(cwd, ".runnel"))).toBe(false);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
