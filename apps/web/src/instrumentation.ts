/**
 * Next.js calls this once when the server starts. In the Node.js runtime it builds the engine, which in the
 * embedded default starts the durable executor inside this process (so queued and interrupted runs resume at
 * once, not on the first request). Skipped while `next build` runs: building never opens the database.
 */
export async function register(): Promise<void> {
  // Next replaces NEXT_RUNTIME at compile time; the comparison has to stay literal in this file so that the Edge
  // build of this hook drops the Node-only imports below (read through env.ts, it could not).
  // eslint-disable-next-line no-restricted-properties
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { env } = await import("./env");
    if (env.NEXT_PHASE === "phase-production-build") return;
    const { getEngine } = await import("./server/engine");
    const engine = await getEngine();
    console.log(
      engine.mode === "embedded"
        ? "Runnel: flows run on the built-in executor inside this server"
        : "Runnel: flows run on Inngest (functions served at /api/inngest)",
    );
  }
}
