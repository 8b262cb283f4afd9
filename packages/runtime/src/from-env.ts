import type { RuntimeEnv } from "./env";
import type { RuntimeOptions } from "./runtime";
import { httpAllowFromEnv, modeFromEnv, runtimeEnv } from "./env";

/** The runtime options the environment decides (mode, HTTP allow-list); the caller adds database and secrets. */
export function runtimeOptionsFromEnv(
  env: RuntimeEnv = runtimeEnv(),
): Pick<RuntimeOptions, "mode" | "httpAllow"> {
  return { mode: modeFromEnv(env), httpAllow: httpAllowFromEnv(env) };
}
