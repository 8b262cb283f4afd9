import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe } from "vitest";

import type { Database, DbHandle, Driver, MigrationSet } from "../client";
import type { TestDbEnv } from "../env";
import { applyMigrations, appMigrations, createDb, DRIVERS } from "../client";
import { testDbEnv } from "../env";
import { startNeonProxy } from "./neon-proxy";

export { startNeonProxy } from "./neon-proxy";
export type { NeonProxy } from "./neon-proxy";

/** A fresh, migrated database of its own. `url` is set for server databases (for child processes). */
export type TestDb = DbHandle & { url?: string };

export interface CreateTestDbOptions {
  /** Default: "pg" when TEST_DATABASE_URL is set, otherwise "pglite". "pg" and "neon" need TEST_DATABASE_URL. */
  driver?: Driver;
  /** Migration sets applied in order (default: the app's). Pass [] for an empty database. */
  migrations?: MigrationSet[];
  /** Default: read from the process environment. */
  env?: TestDbEnv;
}

const DATABASE_PREFIX = "runnel_test_";
/** Databases left behind by killed test processes are dropped once they are this old. */
const STALE_AFTER_MS = 6 * 60 * 60 * 1000;

async function withAdmin<T>(adminUrl: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

let staleSweep: Promise<void> | undefined;

/** Drops test databases whose name says they were created more than STALE_AFTER_MS ago. */
async function dropStaleDatabases(adminUrl: string): Promise<void> {
  await withAdmin(adminUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      "select datname from pg_database where starts_with(datname, $1)",
      [DATABASE_PREFIX],
    );
    for (const { datname } of rows) {
      const createdAt = parseInt(datname.slice(DATABASE_PREFIX.length).split("_")[0] ?? "", 36);
      if (Number.isFinite(createdAt) && Date.now() - createdAt > STALE_AFTER_MS) {
        await client.query(`drop database if exists "${datname}" with (force)`);
      }
    }
  });
}

function requireServerUrl(env: TestDbEnv, driver: Driver): string {
  if (!env.TEST_DATABASE_URL) {
    throw new Error(
      `createTestDb: the ${driver} driver needs TEST_DATABASE_URL, a Postgres server where tests may create ` +
        `databases (e.g. postgres://postgres@127.0.0.1:5432/postgres)`,
    );
  }
  return env.TEST_DATABASE_URL;
}

/**
 * A fresh, migrated, isolated database: in-memory PGlite, or (with TEST_DATABASE_URL) a brand-new database
 * `runnel_test_<time>_<random>` on that server, dropped by `close()`. The "neon" driver reaches the same
 * server through a local WebSocket-to-TCP proxy, started here and stopped by `close()`.
 */
export async function createTestDb(options: CreateTestDbOptions = {}): Promise<TestDb> {
  const env = options.env ?? testDbEnv();
  const driver = options.driver ?? (env.TEST_DATABASE_URL ? "pg" : "pglite");
  const migrations = options.migrations ?? [appMigrations];

  if (driver === "pglite") {
    const handle = await createDb();
    try {
      for (const set of migrations) await applyMigrations(handle, set);
    } catch (error) {
      await handle.close();
      throw error;
    }
    return handle;
  }

  const adminUrl = requireServerUrl(env, driver);
  staleSweep ??= dropStaleDatabases(adminUrl);
  await staleSweep;

  const name = `${DATABASE_PREFIX}${Date.now().toString(36)}_${randomBytes(5).toString("hex")}`;
  await withAdmin(adminUrl, (client) => client.query(`create database "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;

  const proxy = driver === "neon" ? await startNeonProxy() : undefined;
  const handle = await createDb({
    url: url.toString(),
    driver,
    neonWsProxy: proxy?.wsProxy,
    maxConnections: 5,
    urlName: "TEST_DATABASE_URL",
  });
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      await handle.close();
      await proxy?.close();
      await withAdmin(adminUrl, (client) =>
        client.query(`drop database if exists "${name}" with (force)`),
      );
    })());

  try {
    for (const set of migrations) await applyMigrations(handle, set);
  } catch (error) {
    await close();
    throw error;
  }
  return { ...handle, url: url.toString(), close };
}

/** What a suite body of describeEachDriver receives. Read `db`/`handle` inside tests and hooks only. */
export interface DriverSuite {
  readonly driver: Driver;
  /** The suite's database: created fresh and migrated in beforeAll, closed (and dropped) in afterAll. */
  readonly handle: TestDb;
  readonly db: Database;
  /** Another fresh database on the same driver (same migrations unless given), closed with the suite. */
  createDb(options?: { migrations?: MigrationSet[] }): Promise<TestDb>;
}

export interface DescribeEachDriverOptions {
  /** Migration sets for the suite's databases (default: the app's). */
  migrations?: MigrationSet[];
  /** Restrict the drivers (default: all three). */
  drivers?: readonly Driver[];
}

/** The drivers a suite runs on here: PGlite always; pg and neon when TEST_DATABASE_URL is set. */
export function availableDrivers(env: TestDbEnv = testDbEnv()): Driver[] {
  return env.TEST_DATABASE_URL ? [...DRIVERS] : ["pglite"];
}

/**
 * Registers `describe("<name> [<driver>]")` once per driver and calls `body` inside each. Drivers that need
 * TEST_DATABASE_URL are reported as skipped when it is unset.
 */
export function describeEachDriver(
  name: string,
  body: (suite: DriverSuite) => void,
  options: DescribeEachDriverOptions = {},
): void {
  const env = testDbEnv();
  const available = availableDrivers(env);
  for (const driver of options.drivers ?? DRIVERS) {
    describe.skipIf(!available.includes(driver))(`${name} [${driver}]`, () => {
      let current: TestDb | undefined;
      const extra: TestDb[] = [];
      const open = (migrations = options.migrations) => createTestDb({ driver, migrations, env });

      beforeAll(async () => {
        current = await open();
      });
      afterAll(async () => {
        const all = current ? [current, ...extra] : extra;
        current = undefined;
        extra.length = 0;
        await Promise.all(all.map((handle) => handle.close()));
      });

      const handle = (): TestDb => {
        if (!current)
          throw new Error(
            `describeEachDriver(${name}): the ${driver} database exists only inside tests and hooks`,
          );
        return current;
      };
      body({
        driver,
        get handle() {
          return handle();
        },
        get db() {
          return handle().db;
        },
        async createDb(createOptions = {}) {
          const created = await open(createOptions.migrations ?? options.migrations);
          extra.push(created);
          return created;
        },
      });
    });
  }
}
