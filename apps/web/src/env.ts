import { createEnv } from "@t3-oss/env-core";
import { z } from "zod";

/**
 * The web app's own settings. The database (DATABASE_URL, RUNNEL_DATA_DIR) is validated by @runnel/db's
 * `dbEnv`, and auth and secrets (AUTH_SECRET, RUNNEL_ENCRYPTION_KEY, OAuth ids, SMTP_URL) by @runnel/auth's
 * `authEnv`, and the runtime's (RUNNEL_HTTP_ALLOW, INNGEST_*) by @runnel/runtime's `runtimeEnv`; the composition
 * roots (server/runtime.ts, server/engine.ts) call them.
 */
export const env = createEnv({
  server: {
    /** Public base URL (invite links). Unset → the origin of the incoming request. */
    APP_URL: z.url().optional(),
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    /** Set by Next while it builds ("phase-production-build"): nothing may open the database then. */
    NEXT_PHASE: z.string().optional(),
  },
  runtimeEnv: process.env,
  emptyStringAsUndefined: true,
});
