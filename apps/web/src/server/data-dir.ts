import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/**
 * The folder relative settings (RUNNEL_DATA_DIR, the default `.runnel/data`) resolve against: the
 * repository root (the nearest folder above `from` holding pnpm-workspace.yaml), else `from` itself.
 * `pnpm --filter @runnel/web start` runs in apps/web; the data still lands in `<repo>/.runnel/data`.
 */
export function workspaceRoot(from: string): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(from);
    dir = parent;
  }
}
