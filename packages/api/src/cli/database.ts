import type { DbHandle } from "@runnel/db";
import { applyMigrations } from "@runnel/db";
import { createDbFromEnv, resolveDataDir } from "@runnel/db/env";

import type { CliEnv } from "./env";
import { CliError } from "./errors";

/**
 * Opens the database the app uses (DATABASE_URL, else PGlite in RUNNEL_DATA_DIR under the repository root) and
 * applies pending migrations. A PGlite folder held by another process (the running server) is a clear error.
 */
export async function openDatabase(env: CliEnv): Promise<DbHandle> {
  let handle: DbHandle;
  try {
    handle = await createDbFromEnv({ env: env.db, cwd: env.root });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const holder = /already open in process (\d+)/.exec(message);
    if (holder) {
      throw new CliError(
        `the embedded database ${resolveDataDir(env.db, env.root)} is in use by process ${holder[1]} ` +
          `(probably the running Runnel server). PGlite lets one process open a data folder: stop the server ` +
          `and run the command again, or run Runnel on Postgres (DATABASE_URL) so the CLI and the server can ` +
          `share the database.`,
      );
    }
    throw new CliError(`cannot open the database: ${message}`);
  }
  try {
    await applyMigrations(handle);
  } catch (error) {
    await handle.close();
    throw new CliError(
      `cannot migrate the database: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return handle;
}
