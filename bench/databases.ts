/**
 * The databases a benchmark runs on: PGlite in memory (unless BENCH_SKIP_PGLITE=1), then, when DATABASE_URL or
 * TEST_DATABASE_URL names a Postgres server, a fresh database there that is dropped afterwards.
 */
import type { DbHandle } from "@runnel/db";
import { createDb, sql } from "@runnel/db";

export async function forEachBenchDatabase(
  name: string,
  bench: (label: string, handle: DbHandle) => Promise<void>,
): Promise<void> {
  if (process.env.BENCH_SKIP_PGLITE !== "1") {
    const pglite = await createDb();
    await bench("pglite (in memory)", pglite);
    await pglite.close();
  }

  const serverUrl = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!serverUrl) return;
  const database = `runnel_${name}_bench_${process.pid}`;
  const admin = await createDb({ url: serverUrl, maxConnections: 1 });
  await admin.db.execute(sql.raw(`create database "${database}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  const handle = await createDb({ url: url.href, maxConnections: 20 });
  try {
    await bench(`postgres ${url.host}`, handle);
  } finally {
    await handle.close();
    await admin.db.execute(sql.raw(`drop database if exists "${database}" with (force)`));
    await admin.close();
  }
}
