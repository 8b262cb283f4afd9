import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

import type { DbEnv } from "@runnel/db/env";
import { dbEnv } from "@runnel/db/env";

/**
 * The folder relative paths resolve against, and the repository root relative data folders resolve against.
 * `pnpm runnel …` runs the CLI inside packages/api; pnpm passes the folder the user typed the command in as INIT_CWD.
 */
export interface CliEnv {
  /** Where the user ran the command (file arguments are relative to it). */
  cwd: string;
  /** The repository root (nearest folder above cwd with pnpm-workspace.yaml), as the web app uses for its data. */
  root: string;
  db: DbEnv;
  /** The running server, for commands that go through its REST API (`--url`, `--api-key` override them). */
  server: { url?: string; apiKey?: string };
}

function setting(name: string): string | undefined {
  const value = process.env[name]?.trim();
  return value ? value : undefined;
}

function defined<T extends Record<string, string | undefined>>(values: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(values).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

export function workspaceRoot(from: string): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    if (dirname(dir) === dir) return resolve(from);
  }
}

export function cliEnv(): CliEnv {
  const cwd = process.env.INIT_CWD?.trim() || process.cwd();
  return {
    cwd,
    root: workspaceRoot(cwd),
    db: dbEnv(),
    server: defined({ url: setting("RUNNEL_URL"), apiKey: setting("RUNNEL_API_KEY") }),
  };
}
