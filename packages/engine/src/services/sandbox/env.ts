import type { SandboxOptions } from "./options";
import { resolveSandboxSettings } from "./options";

/** Environment variables of the code sandbox's pool and the option each sets (docs/configuration.md). */
const VARIABLES = {
  RUNNEL_SANDBOX_WORKERS: "workers",
  RUNNEL_SANDBOX_PREWARM: "prewarm",
  RUNNEL_SANDBOX_MAX_PER_ORG: "maxConcurrentPerOrg",
  RUNNEL_SANDBOX_MAX_QUEUED: "maxQueued",
  RUNNEL_SANDBOX_MAX_QUEUED_PER_ORG: "maxQueuedPerOrg",
  RUNNEL_SANDBOX_WORKER_HEAP_MB: "workerHeapMb",
} as const satisfies Record<string, keyof SandboxOptions>;

/**
 * Sandbox pool options from environment variables, for the app's composition root; unset or empty
 * variables keep the defaults. Throws naming the variable when a value is not a whole number or the
 * combination is invalid (e.g. more prewarmed workers than workers).
 */
export function sandboxOptionsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): SandboxOptions {
  const options: SandboxOptions = {};
  for (const [variable, option] of Object.entries(VARIABLES)) {
    const text = env[variable]?.trim();
    if (text === undefined || text === "") continue;
    if (!/^\d+$/.test(text)) throw new Error(`${variable} must be a whole number, got "${text}"`);
    options[option] = Number(text);
  }
  try {
    resolveSandboxSettings(options);
  } catch (error) {
    const names = Object.keys(VARIABLES).filter((variable) => env[variable]?.trim());
    throw new Error(`${names.join(", ")}: ${(error as Error).message}`);
  }
  return options;
}
