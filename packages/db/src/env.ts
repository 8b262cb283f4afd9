import type { StandardSchemaV1 } from "@t3-oss/env-core";
import { resolve } from "node:path";
import { createEnv } from "@t3-oss/env-core";
import { z } from "zod";

import type { DbHandle } from "./client";
import { createDb } from "./client";

type RuntimeEnv = Record<string, string | undefined>;

const postgresUrl = (name: string) =>
  z.url({
    protocol: /^postgres(ql)?$/,
    error: `${name} must be a postgres:// or postgresql:// URL (unset it to use the embedded PGlite database)`,
  });

function pathOf(issue: StandardSchemaV1.Issue): string {
  return (issue.path ?? [])
    .map((part) => String(typeof part === "object" ? part.key : part))
    .join(".");
}

/** A bad environment fails with one line per variable: its name and what is accepted (never its value). */
function throwEnvError(issues: readonly StandardSchemaV1.Issue[]): never {
  throw new Error(
    `Invalid environment: ${issues.map((issue) => `${pathOf(issue)}: ${issue.message}`).join("; ")}`,
  );
}

/**
 * The database settings of a composition root (app, CLI). Reads `process.env` unless given another source.
 * Call it where the process starts, not at import time.
 */
export function dbEnv(runtimeEnv: RuntimeEnv = process.env) {
  return createEnv({
    server: {
      /** Unset → embedded PGlite in RUNNEL_DATA_DIR; postgres:// → node-postgres; a Neon host → Neon. */
      DATABASE_URL: postgresUrl("DATABASE_URL").optional(),
      /** PGlite data folder (and other local state); relative paths resolve against the process cwd. */
      RUNNEL_DATA_DIR: z.string().min(1).optional(),
    },
    runtimeEnv,
    emptyStringAsUndefined: true,
    onValidationError: throwEnvError,
  });
}
export type DbEnv = ReturnType<typeof dbEnv>;

/** Settings of the database test helpers (`@runnel/db/testing`). */
export function testDbEnv(runtimeEnv: RuntimeEnv = process.env) {
  return createEnv({
    server: {
      /** A Postgres server the suites may create and drop databases on (e.g. postgres://postgres@127.0.0.1:5432/postgres). */
      TEST_DATABASE_URL: postgresUrl("TEST_DATABASE_URL").optional(),
    },
    runtimeEnv,
    emptyStringAsUndefined: true,
    onValidationError: throwEnvError,
  });
}
export type TestDbEnv = ReturnType<typeof testDbEnv>;

export const DEFAULT_DATA_DIR = ".runnel/data";

/** The absolute data folder: RUNNEL_DATA_DIR (default `.runnel/data`) resolved against `cwd`. */
export function resolveDataDir(
  env: Pick<DbEnv, "RUNNEL_DATA_DIR">,
  cwd: string = process.cwd(),
): string {
  return resolve(cwd, env.RUNNEL_DATA_DIR ?? DEFAULT_DATA_DIR);
}

/**
 * Opens the database the environment names: DATABASE_URL when set, otherwise PGlite in the data folder.
 * Does not migrate: call `applyMigrations(handle)` before first use. Open it once per process (PGlite's
 * data folder must not be opened by two processes).
 */
export async function createDbFromEnv(
  options: { env?: DbEnv; cwd?: string } = {},
): Promise<DbHandle> {
  const env = options.env ?? dbEnv();
  if (env.DATABASE_URL) return createDb({ url: env.DATABASE_URL });
  return createDb({ dataDir: resolveDataDir(env, options.cwd) });
}
