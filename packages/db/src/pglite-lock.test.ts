import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

import { LOCK_FILE, lockDataDir, parseLockRecord } from "./pglite-lock";
import { ownIdentity, parseStat } from "./process-identity";

const lockModule = fileURLToPath(new URL("./pglite-lock.ts", import.meta.url));
const folders: string[] = [];
const children: ChildProcess[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "runnel-lock-"));
  folders.push(dir);
  return dir;
}

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await once(child, "exit");
    }
  }
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function statOf(pid: number): { state: string; startTime: string } {
  const parsed = parseStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  if (!parsed) throw new Error(`unreadable /proc/${pid}/stat`);
  return parsed;
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((done) => setTimeout(done, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * A node process that takes the folder's lock with this module, started in the background of a shell that then
 * execs `sleep`: the sleep is the node process's parent and never waits for it, so once killed it stays a zombie
 * (as under a container init that does not reap). Resolves with the node process's pid once it holds the lock.
 */
async function unreapedLockHolder(dataDir: string): Promise<number> {
  const script =
    `import { lockDataDir } from ${JSON.stringify(lockModule)};` +
    `lockDataDir(${JSON.stringify(dataDir)}); console.log("locked"); setInterval(() => {}, 1000);`;
  // sh -c's arguments after the command are its $0 and $1: the node binary and the script.
  const shell = spawn(
    "sh",
    [
      "-c",
      `"$0" --import tsx --input-type=module -e "$1" & echo "pid $!"; exec sleep 60`,
      process.execPath,
      script,
    ],
    { stdio: ["ignore", "pipe", "inherit"], env: process.env },
  );
  children.push(shell);
  let output = "";
  shell.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await until(() => output.includes("locked"), "the child to take the lock");
  const pid = Number(/pid (\d+)/.exec(output)?.[1]);
  expect(pid).toBeGreaterThan(0);
  return pid;
}

describe("PGlite data-folder lock", () => {
  it("writes the owner's pid, start time and boot id, and removes its own file on release", () => {
    const dataDir = tempDir();
    const release = lockDataDir(dataDir);
    const record = parseLockRecord(readFileSync(join(dataDir, LOCK_FILE), "utf8"));
    expect(record).toEqual(ownIdentity());
    expect(record?.startTime).toBe(statOf(process.pid).startTime);
    expect(() => lockDataDir(dataDir)).toThrow(
      `The PGlite data folder ${dataDir} is already open in this process`,
    );
    release();
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
    lockDataDir(dataDir)();
  });

  it("refuses a live owner, and takes over at once from the same owner killed but not reaped", async () => {
    const dataDir = tempDir();
    const pid = await unreapedLockHolder(dataDir);
    expect(() => lockDataDir(dataDir)).toThrow(
      `The PGlite data folder ${dataDir} is already open in process ${pid}. PGlite is single-process`,
    );

    process.kill(pid, "SIGKILL");
    await until(() => statOf(pid).state === "Z", "the killed child to become a zombie");
    // The zombie still answers kill(pid, 0): a bare pid check would take it for the owner.
    expect(process.kill(pid, 0)).toBe(true);
    const started = performance.now();
    const release = lockDataDir(dataDir);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(parseLockRecord(readFileSync(join(dataDir, LOCK_FILE), "utf8"))?.pid).toBe(process.pid);
    release();
  });

  it("takes over a lock whose pid now belongs to another program (start time differs)", () => {
    const dataDir = tempDir();
    const other = spawn("sleep", ["60"], { stdio: "ignore" });
    children.push(other);
    const otherPid = other.pid ?? 0;
    const { startTime } = statOf(otherPid);
    const file = join(dataDir, LOCK_FILE);
    const bootId = ownIdentity().bootId;

    // The record names the live sleep exactly: it is the owner.
    writeFileSync(file, JSON.stringify({ pid: otherPid, startTime, bootId }));
    expect(() => lockDataDir(dataDir)).toThrow(`is already open in process ${otherPid}`);

    // Same pid, another start time: the owner died and the pid was reused.
    writeFileSync(
      file,
      JSON.stringify({ pid: otherPid, startTime: String(Number(startTime) - 1), bootId }),
    );
    lockDataDir(dataDir)();

    // A lock written before the last boot, naming a pid that runs now.
    writeFileSync(file, JSON.stringify({ pid: otherPid, startTime, bootId: "another-boot" }));
    lockDataDir(dataDir)();
  });

  it("reads the bare-pid format, and treats an unreadable lock file as stale", () => {
    const dataDir = tempDir();
    const file = join(dataDir, LOCK_FILE);
    writeFileSync(file, `${process.ppid}\n`);
    expect(() => lockDataDir(dataDir)).toThrow(`is already open in process ${process.ppid}`);
    writeFileSync(file, "not a lock");
    lockDataDir(dataDir)();
    writeFileSync(file, JSON.stringify({ pid: -3 }));
    lockDataDir(dataDir)();
  });

  it("parses /proc stat lines whose command name holds spaces and parentheses", () => {
    const fields = Array.from({ length: 49 }, (_, i) => String(i + 3));
    fields[0] = "Z";
    expect(parseStat(`42 (a) b (c) ${fields.join(" ")}`)).toEqual({ state: "Z", startTime: "22" });
    expect(parseStat("42 (truncated")).toBeUndefined();
  });
});
