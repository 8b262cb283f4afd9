import { linkSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

import type { ProcessIdentity } from "./process-identity";
import { liveness, ownIdentity } from "./process-identity";

/**
 * PGlite has no lock of its own: a second instance on the same data folder opens it silently and the two
 * corrupt it. This lock file names its owner by pid, start time and boot id, so a second open fails with a
 * message while the owner runs, and the lock is taken over at once when the owner is gone — killed and not yet
 * reaped (a zombie), or its pid now used by another program. See docs/operations.md#the-data-folder-lock.
 */
export const LOCK_FILE = "runnel-pglite.lock";

/** Folders locked by this process, shared by every copy of this module a bundler may have made. */
const heldHere: Set<string> = ((globalThis as Record<symbol, unknown>)[
  Symbol.for("runnel.pglite-lock.held")
] ??= new Set<string>()) as Set<string>;

function errorCode(error: unknown): unknown {
  return error instanceof Error && "code" in error ? error.code : undefined;
}

/** The lock file's content: one JSON object. A bare pid (the format before start times) is read too. */
export function parseLockRecord(text: string): ProcessIdentity | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed) };
  try {
    const value: unknown = JSON.parse(trimmed);
    if (typeof value !== "object" || value === null) return undefined;
    const { pid, startTime, bootId } = value as Record<string, unknown>;
    if (typeof pid !== "number" || !Number.isInteger(pid) || pid <= 0) return undefined;
    return {
      pid,
      ...(typeof startTime === "string" ? { startTime } : {}),
      ...(typeof bootId === "string" ? { bootId } : {}),
    };
  } catch {
    return undefined;
  }
}

/**
 * Creates the lock file with its content in one step (written aside, then hard-linked into place), so no reader
 * ever sees it empty. Returns the file's inode, or undefined when the lock file already exists.
 */
function create(file: string, record: ProcessIdentity): number | undefined {
  const draft = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(draft, `${JSON.stringify(record)}\n`);
  try {
    linkSync(draft, file);
    return statSync(file).ino;
  } catch (error) {
    if (errorCode(error) === "EEXIST") return undefined;
    throw error;
  } finally {
    rmSync(draft, { force: true });
  }
}

type Holder = { record: ProcessIdentity | undefined; ino: number } | "missing";

function readHolder(file: string): Holder {
  try {
    const ino = statSync(file).ino;
    return { record: parseLockRecord(readFileSync(file, "utf8")), ino };
  } catch (error) {
    if (errorCode(error) === "ENOENT") return "missing";
    throw error;
  }
}

/**
 * Removes a stale lock file, but only the one judged stale: it is renamed aside first, and if a racing process
 * replaced it in between (another inode), the fresh one is put back.
 */
function removeStale(file: string, staleIno: number): void {
  const aside = `${file}.${process.pid}.${Date.now()}.stale`;
  try {
    renameSync(file, aside);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return;
    throw error;
  }
  if (statSync(aside).ino !== staleIno) {
    try {
      linkSync(aside, file);
    } catch (error) {
      if (errorCode(error) !== "EEXIST") throw error;
    }
  }
  rmSync(aside, { force: true });
}

function isOwn(record: ProcessIdentity | undefined, self: ProcessIdentity): boolean {
  return record?.pid === self.pid && (record.startTime ?? self.startTime) === self.startTime;
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
  const self = ownIdentity();
  for (let attempt = 0; attempt < 5; attempt++) {
    const ino = create(file, self);
    if (ino !== undefined) {
      heldHere.add(folder);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        heldHere.delete(folder);
        // Only our own file: if it was taken over (judged stale by mistake), the new owner's stays.
        const now = readHolder(file);
        if (now !== "missing" && now.ino === ino) rmSync(file, { force: true });
      };
    }
    const holder = readHolder(file);
    if (holder === "missing") continue;
    const { record } = holder;
    // A record naming this process that it does not hold is left over (a restarted container reusing the pid).
    if (record && !isOwn(record, self) && liveness(record) === "alive") {
      throw new Error(
        `The PGlite data folder ${folder} is already open in process ${record.pid}. PGlite is single-process: ` +
          `reach the database through that process (its API or a PGlite socket server), or stop it first. ` +
          `If no such Runnel process is running, delete ${file}.`,
      );
    }
    removeStale(file, holder.ino);
  }
  throw new Error(`Could not take the lock ${file} of the PGlite data folder (it keeps changing)`);
}
