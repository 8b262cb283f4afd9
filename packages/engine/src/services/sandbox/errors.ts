import type { SandboxLogLine } from "@runnel/nodes";

export type SandboxErrorCode =
  | "SANDBOX_TIMEOUT"
  | "SANDBOX_MEMORY"
  | "SANDBOX_SYNTAX"
  | "SANDBOX_THROWN"
  | "SANDBOX_NEVER_SETTLED"
  | "SANDBOX_OUTPUT"
  | "SANDBOX_INPUT"
  | "SANDBOX_QUEUE_FULL"
  | "SANDBOX_CRASHED"
  | "SANDBOX_CLOSED";

/** A failed run. `logs` holds what the code printed before it failed (when the worker could say). */
export class SandboxError extends Error {
  override readonly name = "SandboxError";
  constructor(
    readonly code: SandboxErrorCode,
    message: string,
    readonly logs: SandboxLogLine[],
  ) {
    super(message);
  }
}

export function timeoutMessage(timeoutMs: number, maxTimeoutMs: number): string {
  return (
    `Code node exceeded its ${timeoutMs} ms time limit and was stopped` +
    (timeoutMs < maxTimeoutMs
      ? ` (make the code finish sooner or raise timeoutMs, at most ${maxTimeoutMs})`
      : " (make the code finish sooner)")
  );
}

export function memoryMessage(memoryBytes: number, maxMemoryBytes: number): string {
  const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
  return (
    `Code node exceeded its ${mb(memoryBytes)} MB memory limit and was stopped` +
    (memoryBytes < maxMemoryBytes
      ? ` (keep less data in memory or raise memoryMb, at most ${mb(maxMemoryBytes)})`
      : " (keep less data in memory)")
  );
}
