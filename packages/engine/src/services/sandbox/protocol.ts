import type { SandboxLogLine } from "@runnel/nodes";

import type { SandboxErrorCode } from "./errors";

/** What a worker needs to know about one run; the host has already clamped every number. */
export interface WorkerJob {
  id: number;
  code: string;
  inputJson: string;
  timeoutMs: number;
  /** When the run must stop, epoch ms: set by the host as it hands the job over, so delivery counts. */
  deadline: number;
  memoryBytes: number;
  /** Hard cap of the WebAssembly memory the run's QuickJS module may grow to, bytes. */
  wasmCapBytes: number;
  limits: RunLimits;
}

export interface RunLimits {
  maxTimeoutMs: number;
  maxMemoryBytes: number;
  maxOutputBytes: number;
  maxLogLines: number;
  maxLogLineChars: number;
  maxStackBytes: number;
}

export type RunOutcome =
  | { ok: true; resultJson: string; logs: SandboxLogLine[] }
  | { ok: false; code: SandboxErrorCode; message: string; logs: SandboxLogLine[] };

export type WorkerReply =
  | { type: "ready" }
  | {
      type: "done";
      id: number;
      outcome: RunOutcome;
      /** WebAssembly memory the worker still holds after the run, bytes. */
      wasmBytes: number;
      /** The run's QuickJS module was dropped (out of memory, not cleaned up, or grown large). */
      moduleDropped: boolean;
    };
