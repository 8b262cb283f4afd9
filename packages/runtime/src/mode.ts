/**
 * How runs are executed (docs/architecture.md, "Runtime"):
 * - "embedded": runs execute in this process on the app's database: by the engine's direct driver (default; no
 *   protocol hop, docs/executor.md "Direct runs"), or with `runFlow: "sdk"` by the built-in executor calling runFlow
 *   through an in-process Inngest serve handler. The built-in executor runs either way (the scheduler's cron);
 * - "inngest": events go to an Inngest server — Inngest Cloud, self-hosted Inngest, or Runnel's standalone
 *   executor (`pnpm --filter @runnel/executor start`), which speaks the same protocol — and that server calls the
 *   functions back over HTTP at /api/inngest.
 */
export type RuntimeMode = EmbeddedMode | InngestMode;

export interface EmbeddedMode {
  kind: "embedded";
  /** How runFlow is driven: "direct" (default) or "sdk" (the executor through the Inngest protocol). */
  runFlow?: "direct" | "sdk";
}

export interface InngestMode {
  kind: "inngest";
  eventKey?: string;
  signingKey?: string;
  signingKeyFallback?: string;
  /** Self-hosted Inngest or a standalone executor, e.g. http://127.0.0.1:8288. */
  baseUrl?: string;
  /** Dev mode: requests are not signed. */
  isDev?: boolean;
}

export type RuntimeModeKind = RuntimeMode["kind"];
