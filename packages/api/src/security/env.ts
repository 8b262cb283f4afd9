import { createEnv } from "@t3-oss/env-core";
import { z } from "zod";

import type { RateLimitOptions, RateLimitRule } from "./rate-limit";

/** `<points>/<seconds>` (e.g. `600/60`), or `off`. */
const Rule = z
  .string()
  .trim()
  .regex(/^(off|\d+\/\d+)$/, 'expected "<requests>/<seconds>" such as 600/60, or "off"')
  .transform((value): RateLimitRule | null => {
    if (value === "off") return null;
    const [points = "0", seconds = "0"] = value.split("/");
    return { points: Number(points), durationSeconds: Number(seconds) };
  })
  .refine((rule) => rule === null || (rule.points >= 1 && rule.durationSeconds >= 1), {
    message: "requests and seconds must both be at least 1",
  });

/**
 * The request budgets of the API (read by the composition root and passed to `createRateLimits`). Unset variables
 * keep DEFAULT_RATE_LIMITS.
 */
export function rateLimitEnv(runtimeEnv: Record<string, string | undefined> = process.env) {
  return createEnv({
    server: {
      RUNNEL_RATE_LIMIT_API_KEY: Rule.optional(),
      RUNNEL_RATE_LIMIT_ORG: Rule.optional(),
      RUNNEL_RATE_LIMIT_AUTH_IP: Rule.optional(),
    },
    runtimeEnv,
    emptyStringAsUndefined: true,
  });
}

export function rateLimitOptionsFromEnv(env: ReturnType<typeof rateLimitEnv>): RateLimitOptions {
  const options: RateLimitOptions = {};
  if (env.RUNNEL_RATE_LIMIT_API_KEY !== undefined) options.apiKey = env.RUNNEL_RATE_LIMIT_API_KEY;
  if (env.RUNNEL_RATE_LIMIT_ORG !== undefined) options.org = env.RUNNEL_RATE_LIMIT_ORG;
  if (env.RUNNEL_RATE_LIMIT_AUTH_IP !== undefined) options.authIp = env.RUNNEL_RATE_LIMIT_AUTH_IP;
  return options;
}
