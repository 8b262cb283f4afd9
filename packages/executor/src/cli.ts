import { parseArgs } from "node:util";

import { createDb } from "@runnel/db";

import { env } from "./env";
import { createExecutor, listen } from "./index";

const usage = `Usage: runnel-executor [--port 8288] [--host 127.0.0.1] [--database-url URL | --data-dir DIR]
                       [--sdk-url URL ...] [--retry-scale 1] [--lease-ms 5000] [--poll-ms 250]
                       [--worker-id NAME] [--exclusive]`;

function number(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0)
    throw new Error(`--${name} must be a non-negative number (got ${value})`);
  return parsed;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "8288" },
      host: { type: "string", default: "127.0.0.1" },
      "database-url": { type: "string" },
      "data-dir": { type: "string" },
      "sdk-url": { type: "string", multiple: true },
      "retry-scale": { type: "string" },
      "lease-ms": { type: "string" },
      "poll-ms": { type: "string" },
      "worker-id": { type: "string" },
      exclusive: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const url = values["database-url"] ?? env.RUNNEL_EXECUTOR_DATABASE_URL;
  const dataDir = url
    ? undefined
    : (values["data-dir"] ?? env.RUNNEL_EXECUTOR_DATA_DIR ?? ".runnel/executor");
  const handle = await createDb({ url, dataDir });
  const executor = createExecutor({
    db: handle,
    retryScale: number("retry-scale", values["retry-scale"], 1),
    leaseMs: number("lease-ms", values["lease-ms"], 5_000),
    pollMs: number("poll-ms", values["poll-ms"], 250),
    workerId: values["worker-id"],
    // A PGlite data folder is exclusive by itself (its lock); a Postgres database only when the operator says so.
    exclusive: values.exclusive ?? !url,
    log: (level, message, fields) => {
      if (level !== "debug") console.log(JSON.stringify({ level, message, ...fields }));
    },
  });
  await executor.start();
  const server = await listen(executor.fetch, {
    port: number("port", values.port, 8288),
    host: values.host,
  });
  console.log(
    JSON.stringify({
      level: "info",
      message: "runnel executor listening",
      url: server.url,
      database: url ? "postgres" : dataDir,
    }),
  );
  for (const sdkUrl of values["sdk-url"] ?? []) {
    executor
      .syncApp(sdkUrl)
      .then(async (res) =>
        console.log(
          JSON.stringify({
            level: res.ok ? "info" : "error",
            message: `synced ${sdkUrl}`,
            status: res.status,
            body: await res.text(),
          }),
        ),
      )
      .catch((error: unknown) =>
        console.log(
          JSON.stringify({
            level: "error",
            message: `could not sync ${sdkUrl}`,
            error: (error as Error).message,
          }),
        ),
      );
  }
  const shutdown = () => {
    void (async () => {
      await server.close();
      await executor.stop();
      await handle.close();
      process.exit(0);
    })();
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  console.error(usage);
  process.exit(1);
});
