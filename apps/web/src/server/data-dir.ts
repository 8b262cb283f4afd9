import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/**
 * The embedded database's folder: RUNNEL_DATA_DIR if set, else `.runnel/data` under the repository
 * root (the nearest folder above `from` holding pnpm-workspace.yaml), else under `from` itself.
 */
export function resolveDataDir(configured: string | undefined, from: string): string {
  if (configured) return resolve(from, configured);
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return join(dir, ".runnel", "data");
    const parent = dirname(dir);
    if (parent === dir) return join(resolve(from), ".runnel", "data");
    dir = parent;
  }
}
