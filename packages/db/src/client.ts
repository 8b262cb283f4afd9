import type { ClientConfig as NeonClientConfig } from "@neondatabase/serverless";
import type { SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { Client as NeonClient, Pool as NeonPool } from "@neondatabase/serverless";
import { drizzle as drizzleNeon } from "drizzle-orm/neon-serverless";
import { migrate as migrateNeon } from "drizzle-orm/neon-serverless/migrator";
import { drizzle as drizzleNodePg } from "drizzle-orm/node-postgres";
import { migrate as migrateNodePg } from "drizzle-orm/node-postgres/migrator";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import ws from "ws";

import { lockDataDir } from "./pglite-lock";
import { withQuerySpans } from "./query-spans";
import * as schema from "./schema";

export type Schema = typeof schema;
/** The drizzle database every driver gives: use the query builder, it is the same on all three. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Driver = "pglite" | "pg" | "neon";
export const DRIVERS: readonly Driver[] = ["pglite", "pg", "neon"];

export interface DbHandle {
  db: Database;
  driver: Driver;
  /** The PGlite instance when driver is "pglite" (for a socket server or direct SQL in tests). */
  pglite?: PGlite;
  /** Closes the connections (or the PGlite instance). Safe to call more than once. */
  close(): Promise<void>;
}

export interface CreateDbOptions {
  /** Unset → PGlite; `postgres://` → node-postgres; a Neon host → the Neon serverless driver. */
  url?: string;
  /** PGlite data folder; unset (with no url) → an in-memory database. */
  dataDir?: string;
  /** Force a driver, e.g. the Neon driver for a non-Neon host (tests through a local WebSocket proxy). */
  driver?: Driver;
  /** Neon only: rewrite the WebSocket target, e.g. to a local ws-to-TCP proxy (plain ws://, no TLS). */
  neonWsProxy?: (host: string, port: number | string) => string;
  /** Pool size for server drivers (default 10). */
  maxConnections?: number;
  /** Server drivers: how long to wait for a connection before failing (default 10 s). */
  connectionTimeoutMs?: number;
  /**
   * Server drivers: called when an idle pooled connection fails (server restart, network drop). The pool
   * discards that connection either way; without a listener such an error would crash the process.
   * Default: a one-line warning on stderr.
   */
  onIdleConnectionError?: (error: Error) => void;
  /** Names the setting in error messages about the URL (default "DATABASE_URL"). */
  urlName?: string;
}

const POSTGRES_PROTOCOLS = new Set(["postgres:", "postgresql:"]);
const NEON_HOST = /\.neon\.(tech|build)$/i;

/**
 * Which driver a database URL selects: none → "pglite", a Neon host → "neon", any other postgres URL → "pg".
 * Throws a message naming the setting (never its value: it may hold a password) for anything else.
 */
export function detectDriver(url: string | undefined, urlName = "DATABASE_URL"): Driver {
  if (url === undefined || url.trim() === "") return "pglite";
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(
      `${urlName} is not a valid URL; expected postgres://user:password@host:5432/database ` +
        `(unset it to use the embedded PGlite database)`,
    );
  }
  if (!POSTGRES_PROTOCOLS.has(parsed.protocol)) {
    throw new Error(
      `${urlName} must start with postgres:// or postgresql:// (got ${parsed.protocol}//…); ` +
        `unset it to use the embedded PGlite database`,
    );
  }
  if (parsed.hostname === "") {
    throw new Error(`${urlName} has no host; expected postgres://user:password@host:5432/database`);
  }
  return NEON_HOST.test(parsed.hostname) ? "neon" : "pg";
}

type LockedMigrator = (config: MigrationSet) => Promise<void>;

/** Server handles migrate on one dedicated connection that holds the migration advisory lock. */
const lockedMigrators = new WeakMap<Database, LockedMigrator>();

/** One advisory lock for every migration set: they share the `drizzle` bookkeeping schema. */
const MIGRATION_LOCK_KEY = "runnel:migrations";

interface LockableClient {
  query(text: string, values: unknown[]): Promise<unknown>;
  release(destroy?: boolean): void;
}

async function withMigrationLock(client: LockableClient, run: () => Promise<void>): Promise<void> {
  let broken = false;
  try {
    await client.query("select pg_advisory_lock(hashtext($1))", [MIGRATION_LOCK_KEY]);
    try {
      await run();
    } finally {
      await client
        .query("select pg_advisory_unlock(hashtext($1))", [MIGRATION_LOCK_KEY])
        .catch(() => {
          broken = true;
        });
    }
  } catch (error) {
    broken = true;
    throw error;
  } finally {
    // A connection whose state is unknown (failed mid-migration, lock not released) is not reused.
    client.release(broken);
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}

function warnIdleError(error: Error): void {
  console.warn(
    `[@runnel/db] an idle database connection failed and was discarded: ${error.message}`,
  );
}

/**
 * A connection the server ends (a restart, a failover, pg_terminate_backend) while it is checked out but between
 * statements — inside a transaction, say — emits "error" on its client, and an unheard "error" ends the process.
 * Every client gets a listener: the statement that next uses it fails with the connection error instead, and the pool
 * discards it on release (docs/database.md, "Lost connections").
 */
function keepLostConnectionsFromCrashing(pool: {
  on(
    event: "connect",
    listener: (client: { on(event: "error", listener: () => void): unknown }) => void,
  ): unknown;
}): void {
  pool.on("connect", (client) => {
    client.on("error", () => undefined);
  });
}

export async function createDb(options: CreateDbOptions = {}): Promise<DbHandle> {
  const urlName = options.urlName ?? "DATABASE_URL";
  const detected = detectDriver(options.url, urlName);
  const driver = options.driver ?? detected;

  if (driver === "pglite") {
    if (options.url) {
      throw new Error(
        `The pglite driver opens a local data folder; it cannot use ${urlName} (a server URL)`,
      );
    }
    const dataDir = options.dataDir;
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    // PGlite is single-process: a second open of the folder fails here instead of corrupting it.
    const unlock = dataDir ? lockDataDir(dataDir) : () => undefined;
    let client: PGlite;
    try {
      client = await PGlite.create({ dataDir, extensions: { vector } });
    } catch (error) {
      unlock();
      throw error;
    }
    const db = drizzlePglite({ client, schema }) as unknown as Database;
    const close = once(async () => {
      try {
        await client.close();
      } finally {
        unlock();
      }
    });
    return { db, driver, pglite: client, close };
  }

  if (!options.url) throw new Error(`${urlName} is required for the ${driver} driver`);
  if (options.dataDir)
    throw new Error(`dataDir is only for the pglite driver (got driver ${driver})`);
  const poolConfig = {
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
  };
  const onIdleError = options.onIdleConnectionError ?? warnIdleError;

  if (driver === "neon") {
    const pool = new NeonPool(poolConfig);
    // Per-client settings instead of the global neonConfig, so handles with and without a proxy coexist.
    pool.Client = withQuerySpans(neonClientClass(options.neonWsProxy));
    pool.on("error", onIdleError);
    keepLostConnectionsFromCrashing(pool);
    const db = drizzleNeon({ client: pool, schema }) as unknown as Database;
    lockedMigrators.set(db, async (config) => {
      const client = await pool.connect();
      await withMigrationLock(client, () => migrateNeon(drizzleNeon({ client }), config));
    });
    return { db, driver, close: once(() => pool.end()) };
  }

  const pool = new pg.Pool({ ...poolConfig, Client: withQuerySpans(pg.Client) });
  pool.on("error", onIdleError);
  keepLostConnectionsFromCrashing(pool);
  const db = drizzleNodePg({ client: pool, schema }) as unknown as Database;
  lockedMigrators.set(db, async (config) => {
    const client = await pool.connect();
    await withMigrationLock(client, () => migrateNodePg(drizzleNodePg({ client }), config));
  });
  return { db, driver, close: once(() => pool.end()) };
}

function neonClientClass(wsProxy: CreateDbOptions["neonWsProxy"]): typeof NeonClient {
  return class RunnelNeonClient extends NeonClient {
    constructor(config?: string | NeonClientConfig) {
      super(config);
      // Node 20 has no global WebSocket.
      this.neonConfig.webSocketConstructor = ws;
      if (wsProxy) {
        this.neonConfig.wsProxy = wsProxy;
        this.neonConfig.useSecureWebSocket = false;
        this.neonConfig.pipelineConnect = false;
        this.neonConfig.pipelineTLS = false;
      }
    }
  };
}

export interface MigrationSet {
  migrationsFolder: string;
  /** Bookkeeping table; each package with its own migrations uses its own. */
  migrationsTable?: string;
  migrationsSchema?: string;
}

export const appMigrations: MigrationSet = {
  // Built from the module's own path (not `new URL("../drizzle", import.meta.url)`), which bundlers such as
  // Turbopack would try to resolve as an asset at build time and fail on a folder.
  migrationsFolder: join(dirname(fileURLToPath(import.meta.url)), "..", "drizzle"),
};

/**
 * Applies a folder of drizzle-kit SQL migrations with the handle's own driver. Applying twice is a no-op.
 * On a server (pg, neon) it holds a Postgres advisory lock while migrating, so several processes starting
 * at once (app replicas, an executor, tests) apply each migration exactly once.
 */
export async function applyMigrations(
  handle: DbHandle,
  set: MigrationSet = appMigrations,
): Promise<void> {
  const config: MigrationSet = {
    migrationsFolder: set.migrationsFolder,
    migrationsTable: set.migrationsTable,
    migrationsSchema: set.migrationsSchema,
  };
  // Each migrator wants its own driver's database type; the handle's driver names which one it is.
  switch (handle.driver) {
    case "pglite":
      // One PGlite instance is one connection: nothing can run beside it.
      return migratePglite(handle.db as never, config);
    case "pg": {
      const locked = lockedMigrators.get(handle.db);
      return locked ? locked(config) : migrateNodePg(handle.db as never, config);
    }
    case "neon": {
      const locked = lockedMigrators.get(handle.db);
      return locked ? locked(config) : migrateNeon(handle.db as never, config);
    }
  }
}

/**
 * Runs raw SQL and returns its rows, typed. `Database` is driver-neutral, so `db.execute` has no row type of
 * its own; all three drivers answer with `{ rows }`. Works on a transaction too.
 */
export async function queryRows<T extends Record<string, unknown>>(
  db: Pick<Database, "execute">,
  query: SQL,
): Promise<T[]> {
  const result: unknown = await db.execute(query);
  const rows: unknown =
    typeof result === "object" && result !== null ? Reflect.get(result, "rows") : undefined;
  if (!Array.isArray(rows)) throw new Error("queryRows: the driver returned no rows array");
  return rows as T[];
}
