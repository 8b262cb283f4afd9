import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * PGlite has no lock of its own: a second instance on the same data folder opens it silently and the two
 * corrupt it. This lock file (the owner's pid) makes a second open fail with a message instead. A lock whose
 * process is gone, or that names this process without this process holding it (a restarted container
 * reusing the pid), is stale and taken over.
 */
export const LOCK_FILE = "runnel-pglite.lock";

const heldHere = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error instanceof Error && "code" in error && error.code === "EPERM";
  }
}

function errorCode(error: unknown): unknown {
  return error instanceof Error && "code" in error ? error.code : undefined;
}

/** Takes the folder's lock or throws; returns the function that releases it. */
export function lockDataDir(dataDir: string): () => void {
  const folder = resolve(dataDir);
  const file = join(folder, LOCK_FILE);
  if (heldHere.has(folder)) {
    throw new Error(
      `The PGlite data folder ${folder} is already open in this process. Open it once and share the handle ` +
        `(PGlite is single-process).`,
    );
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: "wx" });
      heldHere.add(folder);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        heldHere.delete(folder);
        rmSync(file, { force: true });
      };
    } catch (error) {
      if (errorCode(error) !== "EEXIST") throw error;
    }
    let holder = Number.NaN;
    try {
      holder = Number.parseInt(readFileSync(file, "utf8").trim(), 10);
    } catch (error) {
      if (errorCode(error) !== "ENOENT") throw error;
      continue;
    }
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
      throw new Error(
        `The PGlite data folder ${folder} is already open in process ${holder}. PGlite is single-process: ` +
          `reach the database through that process (its API or a PGlite socket server), or stop it first. ` +
          `If no such Runnel process is running, delete ${file}.`,
      );
    }
    rmSync(file, { force: true });
  }
  throw new Error(`Could not take the lock ${file} of the PGlite data folder (it keeps changing)`);
}
