import type { Database } from "@runnel/db";
import type { ApprovalStatus } from "@runnel/db/schema";
import { and, desc, eq, isUniqueViolation, sql } from "@runnel/db";
import { approvals, runs } from "@runnel/db/schema";

import type { Written } from "./store";
import {
  ApprovalAlreadyDecidedError,
  ApprovalExpiredError,
  ApprovalNotFoundError,
  RunNotFoundError,
} from "./errors";
import { appendRunEvent } from "./events";

export type Approval = typeof approvals.$inferSelect;

export interface CreateApprovalInput {
  runId: string;
  nodeId: string;
  assignees?: string[];
  message?: string;
  formSchema?: Record<string, unknown> | null;
  /** The data under review (ApprovalDirective.request.data), shown to the approver. */
  data?: unknown;
  expiresAt?: Date | null;
}

export interface CreatedApproval extends Written {
  approval: Approval;
  /** False when this node of this run had already asked (a replayed step): the first request is returned. */
  created: boolean;
}

async function findForNode(
  db: Database,
  orgId: string,
  runId: string,
  nodeId: string,
): Promise<Approval | undefined> {
  const [row] = await db
    .select()
    .from(approvals)
    .where(
      and(eq(approvals.runId, runId), eq(approvals.nodeId, nodeId), eq(approvals.orgId, orgId)),
    );
  return row;
}

/** Opens the approval request of an Approval node (one per run and node) and appends `approval.requested`. */
export async function createApproval(
  db: Database,
  orgId: string,
  input: CreateApprovalInput,
): Promise<CreatedApproval> {
  const existing = await findForNode(db, orgId, input.runId, input.nodeId);
  if (existing) return { approval: existing, created: false, events: [] };
  try {
    return await db.transaction(async (tx) => {
      const [run] = await tx
        .select({ id: runs.id })
        .from(runs)
        .where(and(eq(runs.id, input.runId), eq(runs.orgId, orgId)));
      if (!run) throw new RunNotFoundError(input.runId);
      const [approval] = await tx
        .insert(approvals)
        .values({
          orgId,
          runId: input.runId,
          nodeId: input.nodeId,
          assignees: input.assignees ?? [],
          message: input.message ?? "",
          formSchema: input.formSchema ?? null,
          data: input.data ?? null,
          expiresAt: input.expiresAt ?? null,
        })
        .returning();
      if (!approval)
        throw new Error(`Opening the approval of node ${input.nodeId} returned no row`);
      const { event } = await appendRunEvent(tx, orgId, {
        runId: input.runId,
        type: "approval.requested",
        nodeId: input.nodeId,
        payload: {
          approvalId: approval.id,
          assignees: approval.assignees,
          message: approval.message,
          formSchema: approval.formSchema,
          expiresAt: approval.expiresAt?.toISOString() ?? null,
        },
        dedupeKey: `approval.requested:${input.nodeId}`,
      });
      return { approval, created: true, events: [event] };
    });
  } catch (error) {
    if (isUniqueViolation(error, "approvals_run_node_uq")) {
      const raced = await findForNode(db, orgId, input.runId, input.nodeId);
      if (raced) return { approval: raced, created: false, events: [] };
    }
    throw error;
  }
}

export async function getApproval(
  db: Database,
  orgId: string,
  approvalId: string,
): Promise<Approval | undefined> {
  const [row] = await db
    .select()
    .from(approvals)
    .where(and(eq(approvals.id, approvalId), eq(approvals.orgId, orgId)));
  return row;
}

export interface ListApprovalsOptions {
  status?: ApprovalStatus;
  runId?: string;
  /** Default 50, at most 500. */
  limit?: number;
}

/** Newest first. */
export async function listApprovals(
  db: Database,
  orgId: string,
  options: ListApprovalsOptions = {},
): Promise<Approval[]> {
  const conditions = [eq(approvals.orgId, orgId)];
  if (options.status) conditions.push(eq(approvals.status, options.status));
  if (options.runId) conditions.push(eq(approvals.runId, options.runId));
  return db
    .select()
    .from(approvals)
    .where(and(...conditions))
    .orderBy(desc(approvals.createdAt), desc(approvals.id))
    .limit(Math.min(Math.max(options.limit ?? 50, 1), 500));
}

export interface DecideApprovalInput {
  approvalId: string;
  decision: "approved" | "rejected";
  /** The deciding user's id (the API checks assignees and role before calling). */
  decidedBy: string | null;
  comment?: string | null;
  formData?: Record<string, unknown> | null;
}

export interface DecidedApproval extends Written {
  approval: Approval;
}

/**
 * Records the one decision of a pending approval and appends `approval.decided`. Single-shot: deciding an approval
 * that is no longer pending throws ApprovalAlreadyDecidedError, after its `expires_at` ApprovalExpiredError, and an
 * approval outside the org ApprovalNotFoundError. Concurrent decisions: exactly one wins.
 * The caller then sends `runnel/approval.decided` so the waiting run resumes.
 */
export async function decideApproval(
  db: Database,
  orgId: string,
  input: DecideApprovalInput,
): Promise<DecidedApproval> {
  return db.transaction(async (tx) => {
    const [approval] = await tx
      .update(approvals)
      .set({
        status: input.decision,
        decidedBy: input.decidedBy,
        comment: input.comment ?? null,
        formData: input.formData ?? null,
        decidedAt: sql`now()`,
      })
      .where(
        and(
          eq(approvals.id, input.approvalId),
          eq(approvals.orgId, orgId),
          eq(approvals.status, "pending"),
          sql`(${approvals.expiresAt} is null or ${approvals.expiresAt} > now())`,
        ),
      )
      .returning();
    if (!approval) {
      const current = await getApproval(tx, orgId, input.approvalId);
      if (!current) throw new ApprovalNotFoundError(input.approvalId);
      if (current.status !== "pending") {
        throw new ApprovalAlreadyDecidedError(current.id, current.status, current.decidedAt);
      }
      throw new ApprovalExpiredError(current.id, current.expiresAt ?? new Date());
    }
    const { event } = await appendRunEvent(tx, orgId, {
      runId: approval.runId,
      type: "approval.decided",
      nodeId: approval.nodeId,
      payload: {
        approvalId: approval.id,
        status: approval.status,
        decidedBy: approval.decidedBy,
        comment: approval.comment,
      },
      dedupeKey: `approval.decided:${approval.nodeId}`,
    });
    return { approval, events: [event] };
  });
}

export interface ExpiredApproval extends Written {
  approval: Approval;
  /** False when the approval had already been decided (then its decision stands). */
  changed: boolean;
}

/**
 * Marks a pending approval `timed_out` (runFlow calls it when its wait ends without a decision) and appends
 * `approval.decided` with that status. Idempotent; a decided approval is returned unchanged.
 */
export async function expireApproval(
  db: Database,
  orgId: string,
  approvalId: string,
): Promise<ExpiredApproval> {
  return db.transaction(async (tx) => {
    const [approval] = await tx
      .update(approvals)
      .set({ status: "timed_out", decidedAt: sql`now()` })
      .where(
        and(
          eq(approvals.id, approvalId),
          eq(approvals.orgId, orgId),
          eq(approvals.status, "pending"),
        ),
      )
      .returning();
    if (!approval) {
      const current = await getApproval(tx, orgId, approvalId);
      if (!current) throw new ApprovalNotFoundError(approvalId);
      return { approval: current, changed: false, events: [] };
    }
    const { event } = await appendRunEvent(tx, orgId, {
      runId: approval.runId,
      type: "approval.decided",
      nodeId: approval.nodeId,
      payload: { approvalId: approval.id, status: "timed_out", decidedBy: null, comment: null },
      dedupeKey: `approval.decided:${approval.nodeId}`,
    });
    return { approval, changed: true, events: [event] };
  });
}
