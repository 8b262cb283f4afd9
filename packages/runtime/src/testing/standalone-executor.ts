import type { DbHandle } from "@runnel/db";
import type { RunnelExecutor } from "@runnel/executor";
import { createExecutor, listen } from "@runnel/executor";

export interface StandaloneExecutor {
  url: string;
  executor: RunnelExecutor;
  /** Closes its HTTP port, then stops its worker: the executor is unreachable, as when its process is down. */
  stop(): Promise<void>;
}

/**
 * The standalone executor as `pnpm --filter @runnel/executor start` runs it (its HTTP API on 127.0.0.1:`port`, the
 * app called over HTTP), in this process with test clocks. With `appUrl` it syncs the app's functions; a restart
 * on the same database finds them registered.
 */
export async function startStandaloneExecutor(options: {
  handle: DbHandle;
  port: number;
  appUrl?: string;
}): Promise<StandaloneExecutor> {
  const executor = createExecutor({ db: options.handle, pollMs: 20, retryScale: 0.001 });
  await executor.start();
  const server = await listen((request) => executor.fetch(request), { port: options.port });
  if (options.appUrl) {
    const synced = await executor.syncApp(options.appUrl);
    if (!synced.ok) throw new Error(`syncing ${options.appUrl} failed: ${synced.status}`);
  }
  return {
    url: server.url,
    executor,
    async stop() {
      await server.close();
      await executor.stop();
    },
  };
}
