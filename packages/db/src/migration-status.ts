import { sql } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";

import type { DbHandle, MigrationSet } from "./client";
import { appMigrations, queryRows } from "./client";

/** drizzle's bookkeeping defaults (the migrator's own when a set names none). */
const DEFAULT_SCHEMA = "drizzle";
const DEFAULT_TABLE = "__drizzle_migrations";

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * How many migrations of a set the database has not applied yet (what a readiness probe reports). drizzle applies
 * the migrations created after the newest one recorded in its bookkeeping table; so does this count.
 */
export async function pendingMigrations(
  handle: DbHandle,
  set: MigrationSet = appMigrations,
): Promise<number> {
  const files = readMigrationFiles({ migrationsFolder: set.migrationsFolder });
  const schema = set.migrationsSchema ?? DEFAULT_SCHEMA;
  const table = set.migrationsTable ?? DEFAULT_TABLE;
  const [exists] = await queryRows<{ found: boolean }>(
    handle.db,
    sql`select to_regclass(${`${quoteIdent(schema)}.${quoteIdent(table)}`}) is not null as found`,
  );
  if (!exists?.found) return files.length;
  const [latest] = await queryRows<{ created_at: string | number | null }>(
    handle.db,
    sql.raw(`select max(created_at) as created_at from ${quoteIdent(schema)}.${quoteIdent(table)}`),
  );
  const newest =
    latest?.created_at === null || latest === undefined ? -1 : Number(latest.created_at);
  return files.filter((file) => file.folderMillis > newest).length;
}
