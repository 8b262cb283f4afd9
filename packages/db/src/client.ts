import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { Pool as NeonPool, neonConfig } from "@neondatabase/serverless";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzleNeon } from "drizzle-orm/neon-serverless";
import { migrate as migrateNeon } from "drizzle-orm/neon-serverless/migrator";
import { drizzle as drizzleNodePg } from "drizzle-orm/node-postgres";
import { migrate as migrateNodePg } from "drizzle-orm/node-postgres/migrator";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import ws from "ws";

import * as schema from "./schema";

export type Schema = typeof schema;
/** The drizzle database every driver gives: use the query builder, it is the same on all three. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Driver = "pglite" | "pg" | "neon";

export interface DbHandle {
  db: Database;
  driver: Driver;
  /** The PGlite instance when driver is "pglite" (for a socket server or direct SQL in tests). */
  pglite?: PGlite;
  close(): Promise<void>;
}

export interface CreateDbOptions {
  /** Unset → PGlite; `postgres://` → node-postgres; a Neon host → the Neon serverless driver. */
  url?: string;
  /** PGlite data folder; unset (with no url) → an in-memory database. */
  dataDir?: string;
  /** Force the Neon driver for a non-Neon host (tests through a local WebSocket proxy). */
  driver?: Driver;
  /** Neon only: rewrite the WebSocket target, e.g. to a local ws-to-TCP proxy. */
  neonWsProxy?: (host: string, port: number | string) => string;
  /** Pool size for server drivers. */
  maxConnections?: number;
}

export function detectDriver(url: string | undefined): Driver {
  if (!url) return "pglite";
  const parsed = new URL(url);
  if (!["postgres:", "postgresql:"].includes(parsed.protocol)) {
    throw new Error(`DATABASE_URL must start with postgres:// or postgresql:// (got ${parsed.protocol})`);
  }
  return /\.neon\.(tech|build)$/.test(parsed.hostname) ? "neon" : "pg";
}

export async function createDb(options: CreateDbOptions = {}): Promise<DbHandle> {
  const driver = options.driver ?? detectDriver(options.url);
  if (driver === "pglite") {
    if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
    const client = await PGlite.create({ dataDir: options.dataDir, extensions: { vector } });
    const db = drizzlePglite(client, { schema }) as unknown as Database;
    return { db, driver, pglite: client, close: () => client.close() };
  }
  if (!options.url) throw new Error(`A database URL is required for the ${driver} driver`);
  if (driver === "neon") {
    neonConfig.webSocketConstructor = ws;
    if (options.neonWsProxy) {
      neonConfig.wsProxy = options.neonWsProxy;
      neonConfig.useSecureWebSocket = false;
      neonConfig.pipelineConnect = false;
      neonConfig.pipelineTLS = false;
    }
    const pool = new NeonPool({ connectionString: options.url, max: options.maxConnections ?? 10 });
    const db = drizzleNeon({ client: pool, schema }) as unknown as Database;
    return { db, driver, close: () => pool.end() };
  }
  const pool = new pg.Pool({ connectionString: options.url, max: options.maxConnections ?? 10 });
  const db = drizzleNodePg({ client: pool, schema }) as unknown as Database;
  return { db, driver, close: () => pool.end() };
}

export interface MigrationSet {
  migrationsFolder: string;
  /** Bookkeeping table; each package with its own migrations uses its own. */
  migrationsTable?: string;
  migrationsSchema?: string;
}

export const appMigrations: MigrationSet = {
  migrationsFolder: fileURLToPath(new URL("../drizzle", import.meta.url)),
};

/** Applies a folder of drizzle-kit SQL migrations with the handle's own driver. */
export async function applyMigrations(handle: DbHandle, set: MigrationSet = appMigrations): Promise<void> {
  const config = {
    migrationsFolder: set.migrationsFolder,
    migrationsTable: set.migrationsTable,
    migrationsSchema: set.migrationsSchema,
  };
  // Each migrator wants its own driver's database type; the handle's driver names which one it is.
  switch (handle.driver) {
    case "pglite":
      return migratePglite(handle.db as never, config);
    case "pg":
      return migrateNodePg(handle.db as never, config);
    case "neon":
      return migrateNeon(handle.db as never, config);
  }
}
