import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

/**
 * Child processes for the kill -9 tests: the standalone executor (src/cli.ts) and an Inngest app
 * (test/durable-app.ts), each one real node process, so SIGKILL hits what an operator would kill.
 */
const pkgDir = fileURLToPath(new URL("..", import.meta.url));
const children = new Set<ChildProcess>();

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts a TypeScript entry point in one node process (node --import tsx); resolves on its first JSON line with a url. */
export function start(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ proc: ChildProcess; line: Record<string, unknown> }> {
  const proc = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: pkgDir,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(proc);
  proc.once("exit", () => children.delete(proc));
  let stderr = "";
  proc.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    let buffer = "";
    proc.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      for (const raw of buffer.split("\n").slice(0, -1)) {
        try {
          const line = JSON.parse(raw) as Record<string, unknown>;
          if (line.url) resolve({ proc, line });
        } catch {
          // not a JSON line
        }
      }
      buffer = buffer.slice(buffer.lastIndexOf("\n") + 1);
    });
    proc.once("exit", (code) => reject(new Error(`${script} exited with ${code}: ${stderr}`)));
  });
}

export function kill(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once("exit", () => resolve());
    proc.kill("SIGKILL");
  });
}

export async function killAll(): Promise<void> {
  for (const child of children) await kill(child);
}

/** How many times the app logged `line` (one line per step execution). */
export const countLines = (logFile: string, line: string) =>
  readFileSync(logFile, "utf8")
    .split("\n")
    .filter((l) => l === line).length;

export async function send(url: string, events: unknown[]): Promise<void> {
  const res = await fetch(`${url}/e/test-key`, { method: "POST", body: JSON.stringify(events) });
  if (res.status !== 200) throw new Error(`POST /e answered ${res.status}: ${await res.text()}`);
}

export interface RunView {
  id: string;
  status: string;
  output: unknown;
  pending: { kind: string }[];
  waitingFor: unknown[];
}

export async function runs(url: string, functionId: string): Promise<RunView[]> {
  const list = (await (await fetch(`${url}/v1/runs?function_id=${functionId}`)).json()) as {
    runs: { id: string }[];
  };
  return Promise.all(
    list.runs.map(async (r) => (await (await fetch(`${url}/v1/runs/${r.id}`)).json()) as RunView),
  );
}
