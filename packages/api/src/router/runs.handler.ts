import { TRPCError } from "@trpc/server";

import type { Database } from "@runnel/db";
import type { RunStatus, RunTriggerKind } from "@runnel/db/schema";
import { and, desc, eq, sql } from "@runnel/db";
import { flows, flowVersions, runs } from "@runnel/db/schema";
import {
  ApprovalAlreadyDecidedError,
  ApprovalExpiredError,
  ApprovalFormError,
  ApprovalNotFoundError,
  BlobNotFoundError,
  FlowDefinition,
  FlowVersionNotFoundError,
  FlowVersionUnavailableError,
  RunNotFoundError,
} from "@runnel/engine";

import type { EngineDeps } from "../trpc";
import { IdempotencyKeyReusedError } from "../idempotency/claim";
import { fieldError } from "../trpc";

/** The engine of the request, or PRECONDITION_FAILED when the server was composed without one. */
export function requireEngine(engine: EngineDeps | undefined): EngineDeps {
  if (!engine) {
    throw new TRPCError({
      code: "PRECONDITION_FAILED",
      message:
        "This server was started without the run engine, so runs cannot be started or watched",
    });
  }
  return engine;
}

/**
 * Turns the engine's errors into tRPC errors a client can act on: unknown ids → NOT_FOUND, a flow without the
 * asked-for published version → PRECONDITION_FAILED, a decision on a decided or expired approval or an idempotency
 * key reused for another request → CONFLICT,
 * form answers that miss the approval's form schema → BAD_REQUEST on `formData`. Anything else is rethrown.
 */
export function toTRPCError(error: unknown): unknown {
  if (
    error instanceof RunNotFoundError ||
    error instanceof ApprovalNotFoundError ||
    error instanceof FlowVersionNotFoundError ||
    error instanceof BlobNotFoundError
  ) {
    return new TRPCError({ code: "NOT_FOUND", message: error.message, cause: error });
  }
  if (error instanceof FlowVersionUnavailableError) {
    return new TRPCError({ code: "PRECONDITION_FAILED", message: error.message, cause: error });
  }
  if (
    error instanceof ApprovalAlreadyDecidedError ||
    error instanceof ApprovalExpiredError ||
    error instanceof IdempotencyKeyReusedError
  ) {
    return new TRPCError({ code: "CONFLICT", message: error.message, cause: error });
  }
  if (error instanceof ApprovalFormError) return fieldError(["formData"], error.message);
  return error;
}

/** Runs `work`, mapping engine errors (see {@link toTRPCError}). */
export async function mapEngineErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toTRPCError(error);
  }
}

/** What a run list shows per run (no input or output: those can be large; `runs.get` has them). */
const summaryColumns = {
  id: runs.id,
  flowId: runs.flowId,
  flowName: flows.name,
  flowVersionId: runs.flowVersionId,
  /** The published version number; 0 for a test run (a snapshot of the draft). */
  version: flowVersions.number,
  test: sql<boolean>`${flowVersions.kind} = 'test'`,
  status: runs.status,
  triggerKind: runs.triggerKind,
  error: runs.error,
  failedNodeId: runs.failedNodeId,
  parentRunId: runs.parentRunId,
  rerunOfRunId: runs.rerunOfRunId,
  rerunFromNodeId: runs.rerunFromNodeId,
  createdBy: runs.createdBy,
  tokensIn: runs.tokensIn,
  tokensOut: runs.tokensOut,
  costUsd: runs.costUsd,
  createdAt: runs.createdAt,
  startedAt: runs.startedAt,
  finishedAt: runs.finishedAt,
};

export interface ListRunsQuery {
  flowId?: string | undefined;
  status?: RunStatus | undefined;
  /** Only test runs (true) or only runs of published versions (false). */
  test?: boolean | undefined;
  triggerKind?: RunTriggerKind | undefined;
  /** The id of the last run of the previous page. */
  cursor?: string | undefined;
  limit: number;
}

/**
 * The org's runs, newest first, `limit` per page. The cursor is a run id: the next page holds the runs ordered
 * after it by (created_at, id), compared in the database so no two runs created in the same instant are lost.
 */
export async function listRunsPage(db: Database, orgId: string, query: ListRunsQuery) {
  const conditions = [eq(runs.orgId, orgId)];
  if (query.flowId) conditions.push(eq(runs.flowId, query.flowId));
  if (query.status) conditions.push(eq(runs.status, query.status));
  if (query.test !== undefined)
    conditions.push(eq(flowVersions.kind, query.test ? "test" : "published"));
  if (query.triggerKind) conditions.push(eq(runs.triggerKind, query.triggerKind));
  if (query.cursor) {
    conditions.push(
      sql`(${runs.createdAt}, ${runs.id}) < (select r.created_at, r.id from runs r where r.id = ${query.cursor} and r.org_id = ${orgId})`,
    );
  }
  const rows = await db
    .select(summaryColumns)
    .from(runs)
    .innerJoin(flows, eq(flows.id, runs.flowId))
    .innerJoin(flowVersions, eq(flowVersions.id, runs.flowVersionId))
    .where(and(...conditions))
    .orderBy(desc(runs.createdAt), desc(runs.id))
    .limit(query.limit + 1);
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > query.limit && last ? last.id : null };
}

/** The definition of a run's pinned version (published or test snapshot), with its number and test flag. */
export async function pinnedDefinition(db: Database, orgId: string, flowVersionId: string) {
  const [row] = await db
    .select({
      definition: flowVersions.definition,
      version: flowVersions.number,
      test: sql<boolean>`${flowVersions.kind} = 'test'`,
    })
    .from(flowVersions)
    .where(and(eq(flowVersions.id, flowVersionId), eq(flowVersions.orgId, orgId)));
  return row ? { ...row, definition: FlowDefinition.parse(row.definition) } : null;
}

/** The flow name, version number (0 for a test snapshot) and test flag of a run's pinned version. */
export async function versionOf(db: Database, orgId: string, flowVersionId: string) {
  const [row] = await db
    .select({
      flowName: flows.name,
      version: flowVersions.number,
      test: sql<boolean>`${flowVersions.kind} = 'test'`,
    })
    .from(flowVersions)
    .innerJoin(flows, eq(flows.id, flowVersions.flowId))
    .where(and(eq(flowVersions.id, flowVersionId), eq(flowVersions.orgId, orgId)));
  return row ?? { flowName: null, version: null, test: false };
}
