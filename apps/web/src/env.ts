import { createEnv } from "@t3-oss/env-core";
import { z } from "zod";

/**
 * The web app's own settings. The database (DATABASE_URL, RUNNEL_DATA_DIR) is validated by @runnel/db's
 * `dbEnv`, and auth and secrets (AUTH_SECRET, RUNNEL_ENCRYPTION_KEY, OAuth ids, SMTP_URL) by @runnel/auth's
 * `authEnv`; the composition root (server/runtime.ts) calls all three.
 */
export const env = createEnv({
  server: {
    /** Public base URL (invite links). Unset → the origin of the incoming request. */
    APP_URL: z.url().optional(),
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    /** Set by Next while it builds ("phase-production-build"): nothing may open the database then. */
    NEXT_PHASE: z.string().optional(),
    /**
     * Private addresses the HTTP node (and every other outbound request of a flow) may reach: CIDRs, addresses
     * or exact host names, separated by commas or spaces. Unset: only public addresses.
     */
    RUNNEL_HTTP_ALLOW: z.string().optional(),
    /** Inngest Cloud / self-hosted keys. Any INNGEST_* setting selects real Inngest over the built-in executor. */
    INNGEST_EVENT_KEY: z.string().optional(),
    INNGEST_SIGNING_KEY: z.string().optional(),
    INNGEST_SIGNING_KEY_FALLBACK: z.string().optional(),
    /** Self-hosted Inngest (`inngest start`) or a standalone executor, e.g. http://127.0.0.1:8288. */
    INNGEST_BASE_URL: z.url().optional(),
    /** "1" (or the dev server's URL): Inngest dev mode, no request signing. "0" counts as unset. */
    INNGEST_DEV: z.string().optional(),
  },
  runtimeEnv: process.env,
  emptyStringAsUndefined: true,
});
