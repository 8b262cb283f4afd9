import type { StoredError } from "@runnel/db/schema";
import type { AgentDirective, JsonValue } from "@runnel/nodes";

import type { PreparedTool } from "./directives/agent";

/**
 * A node's output on a port. `stored`: it is the node's succeeded `run_steps` row (output and port), as `succeed`
 * recorded it — not an onError outcome of a failed attempt — so the run store can give it back on replay.
 */
export type Fired = { status: "fired"; port: string; value: JsonValue; stored?: true };
export type Failed = { status: "failed"; error: StoredError };
export type NodeResult = Fired | Failed;

/** The `load` step's result: the run, its pinned version and the org's credentials. */
export interface Loaded {
  /** "run" to execute; otherwise the run had already ended with this status (a repeated or late request). */
  state: "run" | "succeeded" | "failed" | "cancelled";
  /** With an ended run: its output, or its error message. */
  ended: JsonValue;
  flowVersionId: string;
  definition: JsonValue;
  flowId: string;
  flowVersion: number;
  input: JsonValue;
  triggerKind: string;
  triggerNodeId: string | null;
  startedAt: string;
  credentials: { id: string; type: string }[];
  /** A rerun: the earlier run and the node it executes again from (absent in results memoised before reruns). */
  rerun?: { runId: string; nodeId: string } | null;
}

/** The directives that need durable waiting after the node's first step. */
export type Pending =
  | { kind: "sleep"; sleep: { durationMs: number } | { until: string }; then: Fired }
  | { kind: "approval"; approvalId: string; timeoutMs: number; data: JsonValue }
  | {
      kind: "invoke";
      childRunIds: string[];
      concurrency: number;
      continueOnItemError: boolean;
      loop: boolean;
      timeoutMs: number | null;
    }
  | { kind: "agent"; request: AgentDirective["request"]; tools: PreparedTool[] };

export type FirstStep = NodeResult | { status: "pending"; pending: Pending; attempt: number };
