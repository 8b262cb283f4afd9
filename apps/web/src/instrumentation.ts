import type { Instrumentation } from "next";

/**
 * Next.js calls this once when the server starts, before it serves. In the Node.js runtime it starts Runnel
 * (server/start.ts): tracing if configured, the database opened and migrated, the runtime (in the embedded default
 * the durable executor inside this process, so queued and interrupted runs resume at once). A failure ends the
 * process with status 1 and the reason. Skipped while `next build` runs: building never opens the database.
 */
export async function register(): Promise<void> {
  // Next replaces NEXT_RUNTIME at compile time; the comparison has to stay literal in this file so that the Edge
  // build of this hook drops the Node-only imports below (read through env.ts, it could not).
  // eslint-disable-next-line no-restricted-properties
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { env } = await import("./env");
    if (env.NEXT_PHASE === "phase-production-build") return;
    const { startServer } = await import("./server/start");
    await startServer();
  }
}

/** A request whose handler threw past its own error handling: one JSON error line with its request id. */
export const onRequestError: Instrumentation.onRequestError = async (error, request, context) => {
  // eslint-disable-next-line no-restricted-properties
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const [{ logRequestError }, { getLogger }] = await Promise.all([
      import("@runnel/observability"),
      import("./server/observability"),
    ]);
    logRequestError(getLogger(), error, request, context);
  }
};
