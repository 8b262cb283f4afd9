import type { ApprovalStatus, RunStatus, RunTriggerKind, StoredError } from "@runnel/db/schema";

/**
 * A value carried in an event payload: present when its JSON is at most EVENT_VALUE_LIMIT_BYTES, otherwise only
 * its size is given and readers fetch the run or step (getRunWithSteps) to get it.
 */
export interface EventValue {
  value?: unknown;
  bytes: number;
}

/** Payload of every event type. Keys are the `type` column of run_events. */
export interface RunEventPayloads {
  "run.queued": { triggerKind: RunTriggerKind; flowVersionId: string; input: EventValue };
  "run.running": { previous: RunStatus };
  "run.waiting": { previous: RunStatus; reason?: string };
  "run.succeeded": { previous: RunStatus; output: EventValue };
  "run.failed": { previous: RunStatus; error: StoredError; failedNodeId: string | null };
  "run.cancelled": { previous: RunStatus; reason?: string };
  "step.started": { attempt: number; input: EventValue };
  "step.succeeded": {
    attempt: number;
    output: EventValue;
    tokensIn: number;
    tokensOut: number;
    costUsd: number;
    durationMs: number | null;
    /** The output port fired. */
    port?: string;
    /** Set when the output was reused from this earlier run instead of executing the node. */
    reusedFromRunId?: string;
  };
  "step.failed": {
    attempt: number;
    error: StoredError;
    tokensIn: number;
    tokensOut: number;
    costUsd: number;
    durationMs: number | null;
  };
  "step.skipped": { attempt: number };
  "step.waiting": { attempt: number; reason?: string };
  log: { level: "debug" | "info" | "warn" | "error"; message: string; data?: unknown };
  "approval.requested": {
    approvalId: string;
    assignees: string[];
    message: string;
    formSchema: Record<string, unknown> | null;
    expiresAt: string | null;
  };
  "approval.decided": {
    approvalId: string;
    status: ApprovalStatus;
    decidedBy: string | null;
    comment: string | null;
  };
}

export type RunEventType = keyof RunEventPayloads;

export const RUN_EVENT_TYPES = [
  "run.queued",
  "run.running",
  "run.waiting",
  "run.succeeded",
  "run.failed",
  "run.cancelled",
  "step.started",
  "step.succeeded",
  "step.failed",
  "step.skipped",
  "step.waiting",
  "log",
  "approval.requested",
  "approval.decided",
] as const satisfies readonly RunEventType[];

/** Events after which a run appends nothing more of its own; live streams end after delivering one. */
export const TERMINAL_RUN_EVENT_TYPES: ReadonlySet<string> = new Set([
  "run.succeeded",
  "run.failed",
  "run.cancelled",
]);

/** A stored run event, as read back and as streamed. */
export interface RunEvent<T extends RunEventType = RunEventType> {
  runId: string;
  orgId: string;
  seq: number;
  type: T;
  nodeId: string | null;
  payload: RunEventPayloads[T];
  createdAt: Date;
}

/** What to append: `dedupeKey` makes the append idempotent (a second append with it returns the first event). */
export type NewRunEvent = {
  [T in RunEventType]: {
    runId: string;
    type: T;
    nodeId?: string | null;
    payload: RunEventPayloads[T];
    dedupeKey?: string;
  };
}[RunEventType];
