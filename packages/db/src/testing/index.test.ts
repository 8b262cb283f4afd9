import type { AddressInfo } from "node:net";
import { once } from "node:events";
import { createServer } from "node:net";
import { sql } from "drizzle-orm";
import pg from "pg";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";

import { queryRows } from "../client";
import { testDbEnv } from "../env";
import { users } from "../schema";
import { availableDrivers, createTestDb, startNeonProxy } from "./index";

const env = testDbEnv();
const server = env.TEST_DATABASE_URL;

async function tableExists(db: Parameters<typeof queryRows>[0], name: string): Promise<boolean> {
  const rows = await queryRows<{ found: string | null }>(
    db,
    sql`select to_regclass(${name})::text as found`,
  );
  return rows[0]?.found !== null;
}

describe("createTestDb", () => {
  it("gives each caller its own migrated database", async () => {
    const [a, b] = await Promise.all([createTestDb(), createTestDb()]);
    try {
      await a.db.insert(users).values({ email: "only-in-a@example.com" });
      expect(await a.db.$count(users)).toBe(1);
      expect(await b.db.$count(users)).toBe(0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("leaves the database empty when given no migrations", async () => {
    const empty = await createTestDb({ driver: "pglite", migrations: [] });
    try {
      expect(await tableExists(empty.db, "public.users")).toBe(false);
    } finally {
      await empty.close();
    }
  });

  it("explains that server drivers need TEST_DATABASE_URL", async () => {
    await expect(createTestDb({ driver: "neon", env: testDbEnv({}) })).rejects.toThrow(
      /^createTestDb: the neon driver needs TEST_DATABASE_URL/,
    );
    expect(availableDrivers(testDbEnv({}))).toEqual(["pglite"]);
    expect(availableDrivers(testDbEnv({ TEST_DATABASE_URL: "postgres://u@127.0.0.1/x" }))).toEqual([
      "pglite",
      "pg",
      "neon",
    ]);
  });

  it.skipIf(!server).each(["pg", "neon"] as const)(
    "creates a runnel_test_ database on the server for %s and drops it on close",
    async (driver) => {
      const admin = new pg.Client({ connectionString: server });
      await admin.connect();
      try {
        const testDb = await createTestDb({ driver });
        const name = new URL(testDb.url ?? "").pathname.slice(1);
        expect(name).toMatch(/^runnel_test_[0-9a-z]+_[0-9a-f]{10}$/);
        expect(testDb.driver).toBe(driver);
        expect(await tableExists(testDb.db, "public.users")).toBe(true);
        const exists = async () =>
          (await admin.query("select 1 from pg_database where datname = $1", [name])).rowCount ===
          1;
        expect(await exists()).toBe(true);
        await testDb.close();
        await testDb.close();
        expect(await exists()).toBe(false);
      } finally {
        await admin.end();
      }
    },
  );
});

describe("startNeonProxy", () => {
  it("forwards binary WebSocket messages to a loopback TCP server and back", async () => {
    const echo = createServer((socket) => socket.pipe(socket));
    echo.listen(0, "127.0.0.1");
    await once(echo, "listening");
    const { port } = echo.address() as AddressInfo;
    const proxy = await startNeonProxy();
    try {
      const ws = new WebSocket(`ws://${proxy.wsProxy("127.0.0.1", port)}`);
      await once(ws, "open");
      const reply = once(ws, "message");
      ws.send(Buffer.from([0, 1, 2, 250]));
      const [data] = (await reply) as [Buffer];
      expect([...data]).toEqual([0, 1, 2, 250]);
      ws.close();
      await once(ws, "close");
    } finally {
      await proxy.close();
      echo.close();
    }
  });

  it("refuses targets other than loopback before connecting anywhere", async () => {
    const proxy = await startNeonProxy();
    try {
      for (const address of [
        "0.0.0.0:5432",
        "127.0.0.2:5432",
        "db.example.com:5432",
        "127.0.0.1",
        "127.0.0.1:0",
      ]) {
        const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/v1?address=${address}`);
        const [code, reason] = (await once(ws, "close")) as [number, Buffer];
        expect(code).toBe(1008);
        expect(reason.toString()).toContain(
          `only loopback host:port targets are allowed (got "${address}")`,
        );
      }
    } finally {
      await proxy.close();
    }
  });
});
