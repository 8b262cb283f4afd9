import { createEnv } from "@t3-oss/env-core";
import { z } from "zod";

import type { AllowList } from "@runnel/engine/services";
import { parseAllowListSetting } from "@runnel/engine/services";

import type { RuntimeMode } from "./mode";

/**
 * The runtime's settings (docs/configuration.md). Any INNGEST_* setting selects Inngest (Cloud, self-hosted, or
 * a standalone executor) over the built-in executor.
 */
export function runtimeEnv(source: Record<string, string | undefined> = process.env) {
  return createEnv({
    server: {
      /**
       * Private addresses the HTTP node (and every other outbound request of a flow) may reach: CIDRs, addresses
       * or exact host names, separated by commas or spaces. Unset: only public addresses.
       */
      RUNNEL_HTTP_ALLOW: z.string().optional(),
      /**
       * Embedded mode only: how runFlow is driven — "direct" (default: the engine's direct driver, no protocol hop) or
       * "sdk" (the built-in executor through the Inngest protocol).
       */
      RUNNEL_RUN_FLOW: z
        .enum(["direct", "sdk"], { error: 'RUNNEL_RUN_FLOW must be "direct" or "sdk"' })
        .optional(),
      INNGEST_EVENT_KEY: z.string().optional(),
      INNGEST_SIGNING_KEY: z.string().optional(),
      INNGEST_SIGNING_KEY_FALLBACK: z.string().optional(),
      /** Self-hosted Inngest (`inngest start`) or a standalone executor, e.g. http://127.0.0.1:8288. */
      INNGEST_BASE_URL: z.url().optional(),
      /** "1" (or the dev server's URL): Inngest dev mode, no request signing. "0" counts as unset. */
      INNGEST_DEV: z.string().optional(),
    },
    runtimeEnv: source,
    emptyStringAsUndefined: true,
  });
}

export type RuntimeEnv = ReturnType<typeof runtimeEnv>;

/** INNGEST_DEV as the SDK reads it: "0"/"false" off, anything else (1, true, a URL) on. */
function devFlag(value: string): boolean {
  return value !== "0" && value.toLowerCase() !== "false";
}

/** "inngest" when any INNGEST_* setting is present, else "embedded" (driven as RUNNEL_RUN_FLOW says). */
export function modeFromEnv(env: RuntimeEnv): RuntimeMode {
  const dev = env.INNGEST_DEV;
  const devOn = dev !== undefined && devFlag(dev);
  if (!env.INNGEST_EVENT_KEY && !env.INNGEST_SIGNING_KEY && !env.INNGEST_BASE_URL && !devOn)
    return { kind: "embedded", runFlow: env.RUNNEL_RUN_FLOW ?? "direct" };
  const devUrl = dev && /^https?:\/\//.test(dev) ? dev : undefined;
  const baseUrl = env.INNGEST_BASE_URL ?? devUrl;
  return {
    kind: "inngest",
    ...(env.INNGEST_EVENT_KEY ? { eventKey: env.INNGEST_EVENT_KEY } : {}),
    ...(env.INNGEST_SIGNING_KEY ? { signingKey: env.INNGEST_SIGNING_KEY } : {}),
    ...(env.INNGEST_SIGNING_KEY_FALLBACK
      ? { signingKeyFallback: env.INNGEST_SIGNING_KEY_FALLBACK }
      : {}),
    ...(baseUrl ? { baseUrl } : {}),
    ...(dev !== undefined ? { isDev: devFlag(dev) } : {}),
  };
}

/** RUNNEL_HTTP_ALLOW parsed; a bad entry fails naming the variable. */
export function httpAllowFromEnv(env: RuntimeEnv): AllowList {
  try {
    return parseAllowListSetting(env.RUNNEL_HTTP_ALLOW);
  } catch (error) {
    throw new Error(`RUNNEL_HTTP_ALLOW: ${(error as Error).message}`);
  }
}
