import { createEnv } from "@t3-oss/env-core";
import { z } from "zod";

/**
 * The web app's own settings. Auth and secret variables (AUTH_SECRET, RUNNEL_ENCRYPTION_KEY, OAuth ids,
 * SMTP_URL) are validated by @runnel/auth's env; this file only adds where the data lives and the public URL.
 */
export const env = createEnv({
  server: {
    DATABASE_URL: z.url().optional(),
    /** PGlite data folder for the embedded default; `.runnel/data` under the repository root if unset. */
    RUNNEL_DATA_DIR: z.string().min(1).optional(),
    /** Public base URL (invite links). Unset → the origin of the incoming request. */
    APP_URL: z.url().optional(),
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  },
  runtimeEnv: process.env,
  emptyStringAsUndefined: true,
});
