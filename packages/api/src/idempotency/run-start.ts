import { fingerprintJson } from "./request";

/** The scope of run-start keys: REST and tRPC `runs.start` share it, so a key names one start across both. */
export const RUN_START_SCOPE = "runs";

/**
 * What a run start asks for: the flow, the version number when the caller named one (REST runs the deployment's
 * pin, tRPC the latest unless told), and the input as a JSON value (key order does not matter).
 */
export function runStartFingerprint(
  flowId: string,
  version: number | undefined,
  input: unknown,
): string {
  return fingerprintJson({ flowId, version: version ?? null, input });
}
