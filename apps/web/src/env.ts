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
  },
  runtimeEnv: process.env,
  emptyStringAsUndefined: true,
});
