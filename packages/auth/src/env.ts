import { createEnv } from "@t3-oss/env-core";
import { z } from "zod";

/**
 * The auth package's environment. The composition root (apps/web) calls `authEnv()` once and passes the result
 * to `createAuth` / `loadServerSecrets`; nothing else in this package reads process.env.
 */
export function authEnv(runtimeEnv: Record<string, string | undefined> = process.env) {
  return createEnv({
    server: {
      AUTH_SECRET: z.string().min(32, "AUTH_SECRET must be at least 32 characters").optional(),
      AUTH_GITHUB_ID: z.string().min(1).optional(),
      AUTH_GITHUB_SECRET: z.string().min(1).optional(),
      AUTH_GOOGLE_ID: z.string().min(1).optional(),
      AUTH_GOOGLE_SECRET: z.string().min(1).optional(),
      /** base64 of 32 random bytes; checked (and decoded) by loadServerSecrets. */
      RUNNEL_ENCRYPTION_KEY: z.string().min(1).optional(),
      /** e.g. smtp://user:pass@127.0.0.1:2525; invites are also mailed when set. */
      SMTP_URL: z.url().optional(),
      SMTP_FROM: z.string().min(3).default("Runnel <no-reply@localhost>"),
      APP_URL: z.url().default("http://localhost:3000"),
    },
    runtimeEnv,
    emptyStringAsUndefined: true,
  });
}

export type AuthEnv = ReturnType<typeof authEnv>;
