/**
 * How runs are executed (docs/architecture.md, "Runtime"):
 * - "embedded": the built-in executor runs in this process on the app's database and drives runFlow in-process;
 * - "inngest": events go to an Inngest server — Inngest Cloud, self-hosted Inngest, or Runnel's standalone
 *   executor (`pnpm --filter @runnel/executor start`), which speaks the same protocol — and that server calls the
 *   functions back over HTTP at /api/inngest.
 */
export type RuntimeMode = EmbeddedMode | InngestMode;

export interface EmbeddedMode {
  kind: "embedded";
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
