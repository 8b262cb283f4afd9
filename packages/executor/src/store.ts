import type { Database, DbHandle } from "@runnel/db";

/** A drizzle transaction of the handle's database. */
export type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

/**
 * Runs transactions. PGlite is a single connection that already serialises queries and transactions;
 * node-postgres and Neon use a pool, so transactions run concurrently there.
 */
export class Store {
  constructor(readonly handle: DbHandle) {}

  get db(): Database {
    return this.handle.db;
  }

  get isPglite(): boolean {
    return this.handle.driver === "pglite";
  }

  tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.handle.db.transaction(fn);
  }
}
