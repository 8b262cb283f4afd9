import type { InngestFunction } from "inngest";
import type { AddressInfo } from "node:net";
import { createServer } from "node:http";
import { Inngest } from "inngest";
import { serve } from "inngest/node";

import type { DbHandle } from "@runnel/db";
import { createDb, sql } from "@runnel/db";

import type { ExecutorOptions, RunnelExecutor } from "../src/index";
import { createExecutor, listen } from "../src/index";

/**
 * A fresh database: in-memory PGlite, or, when TEST_DATABASE_URL is set, a new database created on that
 * Postgres server (dropped again by `drop`).
 */
export async function testDatabase(): Promise<{
  handle: DbHandle;
  url?: string;
  drop(): Promise<void>;
}> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const handle = await createDb();
    return { handle, drop: () => handle.close() };
  }
  const name = `runnel_executor_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = await createDb({ url: serverUrl, maxConnections: 1 });
  await admin.db.execute(sql.raw(`create database "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await createDb({ url: url.href, maxConnections: 10 });
  return {
    handle,
    url: url.href,
    drop: async () => {
      await handle.close();
      await admin.db.execute(sql.raw(`drop database if exists "${name}" with (force)`));
      await admin.close();
    },
  };
}

export interface TestExecutor {
  executor: RunnelExecutor;
  url: string;
  close(): Promise<void>;
}

export async function startExecutor(
  handle: DbHandle,
  options: Partial<ExecutorOptions> = {},
): Promise<TestExecutor> {
  const executor = createExecutor({
    db: handle,
    retryScale: 0.001,
    pollMs: 20,
    leaseMs: 5_000,
    ...options,
  });
  await executor.start();
  const server = await listen(executor.fetch, { port: 0 });
  return {
    executor,
    url: server.url,
    close: async () => {
      await server.close();
      await executor.stop();
    },
  };
}

const noop = () => undefined;
const quietLogger = { info: noop, warn: noop, error: noop, debug: noop };

export function client(id: string, executorUrl: string) {
  return new Inngest({ id, isDev: true, baseUrl: executorUrl, logger: quietLogger });
}

export type TestClient = ReturnType<typeof client>;

export interface TestApp {
  url: string;
  close(): Promise<void>;
}

/** Serves functions with inngest/node on 127.0.0.1 and registers them with the executor (PUT, like `inngest dev -u`). */
export async function serveApp(
  executor: RunnelExecutor,
  inngest: TestClient,
  fns: InngestFunction.Any[],
): Promise<TestApp> {
  const handler = serve({ client: inngest, functions: fns });
  const server = createServer((req, res) => {
    void handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/api/inngest`;
  const res = await executor.syncApp(url);
  if (!res.ok) throw new Error(`registering ${url} failed: ${res.status} ${await res.text()}`);
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The single run of a function (waits for it to appear). */
export async function runOf(executor: RunnelExecutor, functionId: string): Promise<string> {
  return until(
    `a run of ${functionId}`,
    async () => (await executor.listRuns({ functionId })).runs[0]?.id,
  );
}
