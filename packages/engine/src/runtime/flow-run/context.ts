import type { StoredError } from "@runnel/db/schema";
import type { JsonValue } from "@runnel/nodes";
import { isJsonValue } from "@runnel/nodes";

import type { ExecutionPlan, NodeOutcome } from "../../compiler";
import type { RunFlowResources } from "./resources";
import type { RunWrites } from "./run-writes";
import type { FlowSteps } from "./steps";
import type { Loaded } from "./types";
import { isBlobRef } from "../../runs/values";

/** One run being executed: what its steps share (the plan, the settled outcomes so far, the step tools). */
export interface RunContext {
  resources: RunFlowResources;
  steps: FlowSteps;
  /** The run store as this run's steps write it (grouped commits under the direct binding). */
  store: RunWrites;
  runId: string;
  orgId: string;
  loaded: Loaded;
  plan: ExecutionPlan;
  /** The trigger node the run started at. */
  startedBy: string;
  /** `run` in expressions. */
  runInfo: Record<string, JsonValue>;
  /** Outcomes of the nodes settled so far (outputs over 256 KB as references). */
  settled: Record<string, NodeOutcome>;
}

export function toJson(value: unknown): JsonValue {
  return isJsonValue(value) ? value : null;
}

/** A value with its stored references (outputs over the inline limit) loaded. */
export async function resolveDeep(context: RunContext, value: unknown): Promise<JsonValue> {
  if (isBlobRef(value))
    return toJson(await context.resources.store.resolveValue(context.orgId, value));
  return toJson(value);
}

export async function resolveRecord(
  context: RunContext,
  record: Record<string, unknown>,
): Promise<Record<string, JsonValue>> {
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(record)) out[key] = await resolveDeep(context, value);
  return out;
}

/**
 * False when the error itself says another attempt cannot succeed: `details.retryable === false`, as an
 * AiCallError has for a provider's 401/403, another 4xx, a malformed answer or a schema mismatch (docs/ai.md).
 * The node's own retries are not spent on such an error.
 */
export function isRetryable(error: unknown): boolean {
  if (typeof error !== "object" || error === null || !("details" in error)) return true;
  const details = error.details;
  return !(
    typeof details === "object" &&
    details !== null &&
    "retryable" in details &&
    details.retryable === false
  );
}

export function storedError(error: unknown, nodeId: string): StoredError {
  if (error instanceof Error)
    return {
      message: error.message,
      name: error.name,
      nodeId,
      ...(isRetryable(error) ? {} : { retryable: false }),
    };
  if (typeof error === "object" && error !== null) {
    const record = error as Record<string, unknown>;
    return {
      message: typeof record.message === "string" ? record.message : JSON.stringify(error),
      name: typeof record.name === "string" ? record.name : "Error",
      nodeId,
    };
  }
  return { message: String(error), name: "Error", nodeId };
}
