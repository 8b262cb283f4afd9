import type { Database } from "@runnel/db";
import type { RunTriggerKind } from "@runnel/db/schema";
import { and, desc, eq, inArray } from "@runnel/db";
import { flowVersions, runs } from "@runnel/db/schema";
import { checkAgainstJsonSchema } from "@runnel/nodes";

import type { Approval } from "../runs/approvals";
import type { RunEventPublisher } from "../runs/run-store";
import type { Run } from "../runs/store";
import type { SendEvent } from "./events";
import { ApprovalNotFoundError } from "../runs/errors";
import { createRunStore } from "../runs/run-store";
import { TERMINAL_RUN_STATUSES } from "../runs/store";
import { APPROVAL_DECIDED_EVENT, RUN_CANCEL_EVENT, RUN_REQUESTED_EVENT } from "./events";

/** No published version matches (the flow has none, or the number does not exist). */
export class FlowVersionUnavailableError extends Error {
  readonly flowId: string;

  constructor(flowId: string, version?: number) {
    super(
      version === undefined
        ? `flow ${flowId} has no published version: publish one before running it`
        : `flow ${flowId} has no published version ${version}`,
    );
    this.name = "FlowVersionUnavailableError";
    this.flowId = flowId;
  }
}

/** The approval's form answers do not match its form schema. */
export class ApprovalFormError extends Error {
  constructor(approvalId: string, problem: string) {
    super(`approval ${approvalId}: form answers do not match the form schema: ${problem}`);
    this.name = "ApprovalFormError";
  }
}

/** The id of a published version of a flow of the org: the given number, or the latest one. */
export async function resolveFlowVersion(
  db: Database,
  orgId: string,
  flowId: string,
  version?: number,
): Promise<{ id: string; number: number }> {
  const conditions = [
    eq(flowVersions.orgId, orgId),
    eq(flowVersions.flowId, flowId),
    eq(flowVersions.kind, "published"),
  ];
  if (version !== undefined) conditions.push(eq(flowVersions.number, version));
  const [row] = await db
    .select({ id: flowVersions.id, number: flowVersions.number })
    .from(flowVersions)
    .where(and(...conditions))
    .orderBy(desc(flowVersions.number))
    .limit(1);
  if (!row) throw new FlowVersionUnavailableError(flowId, version);
  return row;
}

export interface RunTrigger {
  kind: RunTriggerKind;
  /** Who or what started it (user id, key id, hook id, schedule slot…), kept on the run. */
  info?: Record<string, unknown>;
  /** The trigger node that starts the run; default: the flow's trigger of this kind. */
  nodeId?: string;
}

/**
 * How long the start request sent right after the run's commit has before the runtime's dispatcher counts it as
 * undelivered and sends it again (docs/runtime.md, "Start requests").
 */
export const START_REQUEST_GRACE_MS = 5_000;

export interface StartRunOptions {
  db: Database;
  /**
   * Sends the start request right after the commit. Without it the request waits in the outbox for a runtime's
   * dispatcher (e.g. the CLI writing to the deployment's database).
   */
  sendEvent?: SendEvent;
  bus?: RunEventPublisher;
  orgId: string;
  /** Runs this published version; otherwise `flowId` (+ optional `version` number, default latest). */
  versionId?: string;
  flowId?: string;
  version?: number;
  input: unknown;
  trigger: RunTrigger;
  /** Unique per org: a repeated start with the same key returns the first run and starts nothing new. */
  idempotencyKey?: string;
  createdBy?: string;
}

export interface StartedRun {
  run: Run;
  /** False when the idempotency key named an existing run. */
  created: boolean;
}

/**
 * Creates a queued run pinned to a flow version together with its start request (`dispatch_at`, the outbox), then
 * sends `runnel/run.requested` at once with the run id as the event id, so a repeated send (the dispatcher's, or a
 * retried start with the same idempotency key) starts the function once.
 */
export async function startRun(options: StartRunOptions): Promise<StartedRun> {
  const { db, orgId } = options;
  let versionId = options.versionId;
  if (versionId === undefined) {
    if (options.flowId === undefined) throw new Error("startRun: give versionId or flowId");
    versionId = (await resolveFlowVersion(db, orgId, options.flowId, options.version)).id;
  }
  const store = createRunStore({ db, ...(options.bus ? { bus: options.bus } : {}) });
  const { run, created } = await store.createRun(orgId, {
    flowVersionId: versionId,
    triggerKind: options.trigger.kind,
    triggerInfo: {
      ...(options.trigger.info ?? {}),
      ...(options.trigger.nodeId ? { nodeId: options.trigger.nodeId } : {}),
    },
    input: options.input,
    ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
    ...(options.createdBy ? { createdBy: options.createdBy } : {}),
    dispatchAt: new Date(Date.now() + (options.sendEvent ? START_REQUEST_GRACE_MS : 0)),
  });
  if (options.sendEvent && !TERMINAL_RUN_STATUSES.has(run.status)) {
    await options.sendEvent({
      id: `run-${run.id}`,
      name: RUN_REQUESTED_EVENT,
      data: { runId: run.id, orgId },
    });
  }
  return { run, created };
}

export interface CancelRunOptions {
  db: Database;
  sendEvent: SendEvent;
  bus?: RunEventPublisher;
  orgId: string;
  runId: string;
  reason?: string;
}

/**
 * Marks the run and its unfinished child runs (sub-flows, loop items) cancelled, then sends
 * `runnel/run.cancel` for each so the executor stops them. Returns false when the run had already finished.
 */
export async function cancelRun(options: CancelRunOptions): Promise<boolean> {
  const { db, orgId } = options;
  const store = createRunStore({ db, ...(options.bus ? { bus: options.bus } : {}) });
  const reason = options.reason ?? "cancelled";
  const { changed } = await store.markRunStatus(orgId, options.runId, "cancelled", { reason });
  const ids = [options.runId];
  for (let level = [options.runId]; level.length > 0;) {
    const children = await db
      .select({ id: runs.id, status: runs.status })
      .from(runs)
      .where(and(eq(runs.orgId, orgId), inArray(runs.parentRunId, level)));
    level = [];
    for (const child of children) {
      level.push(child.id);
      if (TERMINAL_RUN_STATUSES.has(child.status)) continue;
      await store.markRunStatus(orgId, child.id, "cancelled", {
        reason: `parent run ${options.runId} was cancelled`,
      });
      ids.push(child.id);
    }
  }
  for (const runId of ids)
    await options.sendEvent({ name: RUN_CANCEL_EVENT, data: { runId, orgId, reason } });
  return changed;
}

export interface DecideRunApprovalOptions {
  db: Database;
  sendEvent: SendEvent;
  bus?: RunEventPublisher;
  orgId: string;
  approvalId: string;
  decision: "approved" | "rejected";
  decidedBy: string | null;
  comment?: string | null;
  formData?: Record<string, unknown> | null;
}

/**
 * Records the decision (single-shot; see the run store's decideApproval for its errors), checks form answers
 * against the approval's form schema, and sends `runnel/approval.decided` so the waiting run resumes.
 */
export async function decideRunApproval(options: DecideRunApprovalOptions): Promise<Approval> {
  const { db, orgId, approvalId } = options;
  const store = createRunStore({ db, ...(options.bus ? { bus: options.bus } : {}) });
  const pending = await store.getApproval(orgId, approvalId);
  if (!pending) throw new ApprovalNotFoundError(approvalId);
  if (pending.formSchema && options.decision === "approved") {
    const problem = checkAgainstJsonSchema(pending.formSchema, options.formData ?? {});
    if (problem !== undefined) throw new ApprovalFormError(approvalId, problem);
  }
  const { approval } = await store.decideApproval(orgId, {
    approvalId,
    decision: options.decision,
    decidedBy: options.decidedBy,
    comment: options.comment ?? null,
    formData: options.formData ?? null,
  });
  await options.sendEvent({
    id: `approval-${approvalId}`,
    name: APPROVAL_DECIDED_EVENT,
    data: { approvalId, runId: approval.runId, orgId, decision: options.decision },
  });
  return approval;
}
