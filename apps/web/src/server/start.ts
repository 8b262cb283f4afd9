import "server-only";

import type { Logger } from "@runnel/observability";
import { createLogger } from "@runnel/observability";
import { runtimeOptionsFromEnv } from "@runnel/runtime";

import { getEngine } from "./engine";
import { getLogger, getObservabilityEnv, setRunSpans, setSandboxPoolSource } from "./observability";
import { getDbHandle } from "./runtime";
import { startTracingIfConfigured } from "./tracing";

/**
 * What the server does before it serves (instrumentation.ts): tracing when configured, the database opened and
 * migrated, the runtime started (in the embedded default, the executor resumes interrupted runs at once), and the
 * run events observed for logs, metrics and traces. Any failure ends the process with status 1 and the reason on
 * one JSON log line: a server that cannot reach its database must not report ready (docs/operations.md#start).
 */
export async function startServer(
  exit: (code: number) => never = (code) => process.exit(code),
): Promise<void> {
  let logger: Logger | undefined;
  try {
    logger = getLogger();
    const tracing = await startTracingIfConfigured(getObservabilityEnv());
    if (tracing) setRunSpans(tracing.runSpans);
    const handle = await getDbHandle();
    const engine = await getEngine();
    setSandboxPoolSource(() => engine.services.sandbox.stats());
    const { mode } = runtimeOptionsFromEnv();
    const runFlow = mode.kind === "embedded" ? mode.runFlow : undefined;
    logger.info(
      { database: handle.driver, mode: engine.mode, runFlow, tracing: Boolean(tracing) },
      engine.mode === "embedded"
        ? `Runnel started: flows run on the built-in executor inside this server (${
            runFlow === "sdk" ? "through the Inngest protocol" : "direct driver"
          })`
        : "Runnel started: flows run on Inngest (functions served at /api/inngest)",
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    (logger ?? createLogger()).fatal({ err: error }, `Runnel cannot start: ${message}`);
    exit(1);
  }
}
