import { sql } from "drizzle-orm";
import { expect, it } from "vitest";

import { queryRows } from "./client";
import { describeEachDriver } from "./testing";

/**
 * A server that ends a connection while a transaction holds it between statements (a restart, a failover,
 * pg_terminate_backend) fails that transaction; it does not end the process, and the pool serves the next query on a
 * new connection (docs/database.md, "Lost connections").
 */
describeEachDriver("a connection lost inside a transaction", (suite) => {
  it.skipIf(suite.driver === "pglite")("fails the transaction, not the process", async () => {
    const { db } = suite;
    const transaction = db.transaction(async (tx) => {
      const [own] = await queryRows<{ pid: number }>(tx, sql`select pg_backend_pid() as pid`);
      await queryRows(db, sql`select pg_terminate_backend(${own?.pid ?? 0})`);
      // The server's notice arrives while no statement runs on the connection.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await queryRows(tx, sql`select 1 as one`);
    });
    await expect(transaction).rejects.toThrow();
    const [after] = await queryRows<{ one: number }>(db, sql`select 1 as one`);
    expect(after?.one).toBe(1);
  });
});
