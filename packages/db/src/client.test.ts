import { describe, expect, it } from "vitest";

import { applyMigrations, createDb, detectDriver } from "./client";
import { users } from "./schema";

describe("createDb", () => {
  it("picks the driver from the URL", () => {
    expect(detectDriver(undefined)).toBe("pglite");
    expect(detectDriver("postgres://u@127.0.0.1:5432/db")).toBe("pg");
    expect(detectDriver("postgresql://u:p@ep-cool-1.eu-central-1.aws.neon.tech/db")).toBe("neon");
    expect(() => detectDriver("mysql://x")).toThrow(/postgres:\/\//);
  });

  it("opens PGlite with pgvector and applies the migrations", async () => {
    const handle = await createDb();
    try {
      await applyMigrations(handle);
      const [row] = await handle.db.insert(users).values({ email: "a@example.com" }).returning();
      expect(row?.email).toBe("a@example.com");
      const ext = await handle.pglite?.query<{ extname: string }>("select extname from pg_extension where extname = 'vector'");
      expect(ext?.rows).toHaveLength(1);
    } finally {
      await handle.close();
    }
  });
});
