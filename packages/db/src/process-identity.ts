import { readFileSync } from "node:fs";

/**
 * Who a pid is, beyond the bare number: a pid is reused once its process is reaped, and a killed process that no
 * one has reaped yet (a zombie) still answers `kill(pid, 0)`. On Linux, /proc/<pid>/stat gives the process state
 * and its start time (clock ticks since boot); the pid, the start time and the boot id together name exactly one
 * process. See docs/operations.md#the-data-folder-lock.
 */
export interface ProcessIdentity {
  pid: number;
  /** Field 22 of /proc/<pid>/stat; undefined where there is no /proc (macOS, Windows). */
  startTime?: string;
  /** /proc/sys/kernel/random/boot_id; undefined where there is no /proc. */
  bootId?: string;
}

export type Liveness = "alive" | "gone";

function errorCode(error: unknown): unknown {
  return error instanceof Error && "code" in error ? error.code : undefined;
}

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = errorCode(error);
    if (code === "ENOENT" || code === "ESRCH" || code === "EACCES" || code === "EPERM")
      return undefined;
    throw error;
  }
}

/** State letter and start time from a /proc/<pid>/stat line; the command name in parentheses may hold anything. */
export function parseStat(line: string): { state: string; startTime: string } | undefined {
  const end = line.lastIndexOf(")");
  if (end < 0) return undefined;
  const fields = line
    .slice(end + 1)
    .trim()
    .split(/\s+/);
  // After the name: state is field 3 of the line, starttime field 22.
  const state = fields[0];
  const startTime = fields[19];
  return state && startTime && /^\d+$/.test(startTime) ? { state, startTime } : undefined;
}

let bootId: string | undefined | null = null;

function currentBootId(): string | undefined {
  if (bootId === null) bootId = readProc("/proc/sys/kernel/random/boot_id")?.trim() || undefined;
  return bootId;
}

/** This process's identity, as it is written into a lock file. */
export function ownIdentity(): ProcessIdentity {
  const stat = readProc(`/proc/${process.pid}/stat`);
  const parsed = stat ? parseStat(stat) : undefined;
  const boot = currentBootId();
  return {
    pid: process.pid,
    ...(parsed ? { startTime: parsed.startTime } : {}),
    ...(boot ? { bootId: boot } : {}),
  };
}

/** kill(pid, 0): ESRCH means no such process; EPERM means it exists under another user. */
function signalable(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === "EPERM";
  }
}

/**
 * Whether the process a lock file names still runs. Gone: no such pid, a zombie (state Z or X: killed, its files
 * closed, waiting to be reaped), another process under the same pid (different start time), or a lock from before
 * the last boot. When /proc cannot tell (no /proc, or it hides other users' processes), a pid that exists counts as
 * alive: a lock is never taken from a process that may still write to the folder.
 */
export function liveness(holder: ProcessIdentity): Liveness {
  if (!signalable(holder.pid)) return "gone";
  const boot = currentBootId();
  if (holder.bootId && boot && holder.bootId !== boot) return "gone";
  const stat = readProc(`/proc/${holder.pid}/stat`);
  const parsed = stat ? parseStat(stat) : undefined;
  if (!parsed) return "alive";
  if (parsed.state === "Z" || parsed.state === "X") return "gone";
  if (holder.startTime && holder.startTime !== parsed.startTime) return "gone";
  return "alive";
}
