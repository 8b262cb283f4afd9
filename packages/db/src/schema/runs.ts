import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import {
  check,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
} from "drizzle-orm/pg-core";

import { users } from "./auth";
import { createdAt, id } from "./columns";
import { flows, flowVersions } from "./flows";
import { orgs } from "./orgs";

/** Error as recorded on a run, a step or an event: what failed and where. */
export interface StoredError {
  message: string;
  name?: string;
  nodeId?: string;
  code?: string;
  stack?: string;
  [key: string]: unknown;
}

export const RUN_STATUSES = [
  "queued",
  "running",
  "waiting",
  "succeeded",
  "failed",
  "cancelled",
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const runStatusEnum = pgEnum("run_status", RUN_STATUSES);

export const RUN_TRIGGER_KINDS = ["manual", "webhook", "schedule", "api", "subflow"] as const;
export type RunTriggerKind = (typeof RUN_TRIGGER_KINDS)[number];
export const runTriggerKindEnum = pgEnum("run_trigger_kind", RUN_TRIGGER_KINDS);

export const STEP_STATUSES = [
  "pending",
  "running",
  "succeeded",
  "failed",
  "skipped",
  "waiting",
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];
export const stepStatusEnum = pgEnum("step_status", STEP_STATUSES);

export const APPROVAL_STATUSES = ["pending", "approved", "rejected", "timed_out"] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];
export const approvalStatusEnum = pgEnum("approval_status", APPROVAL_STATUSES);

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** One execution of a flow version. */
export const runs = pgTable(
  "runs",
  {
    id: id(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    flowId: text("flow_id").notNull(),
    flowVersionId: text("flow_version_id").notNull(),
    triggerKind: runTriggerKindEnum("trigger_kind").notNull(),
    /** Who or what started it: user id, api key id, hook id, schedule slot, parent node… */
    triggerInfo: jsonb("trigger_info").$type<Record<string, unknown>>().notNull().default({}),
    status: runStatusEnum("status").notNull().default("queued"),
    input: jsonb("input").$type<unknown>(),
    /** Set instead of `input` when the input is stored as a blob (over the inline limit). */
    inputBlobId: text("input_blob_id"),
    output: jsonb("output").$type<unknown>(),
    outputBlobId: text("output_blob_id"),
    error: jsonb("error").$type<StoredError>(),
    failedNodeId: text("failed_node_id"),
    parentRunId: text("parent_run_id").references((): AnyPgColumn => runs.id, {
      onDelete: "set null",
    }),
    rerunOfRunId: text("rerun_of_run_id").references((): AnyPgColumn => runs.id, {
      onDelete: "set null",
    }),
    /** A rerun starts from this node, reusing upstream outputs of `rerun_of_run_id`. */
    rerunFromNodeId: text("rerun_from_node_id"),
    idempotencyKey: text("idempotency_key"),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    /** The last run_events.seq handed out; appends increment it under the row lock. */
    eventSeq: integer("event_seq").notNull().default(0),
    tokensIn: integer("tokens_in").notNull().default(0),
    tokensOut: integer("tokens_out").notNull().default(0),
    /** USD of the run's model calls from the price table (docs/ai.md); unpriced models add nothing. */
    costUsd: doublePrecision("cost_usd").notNull().default(0),
    createdAt: createdAt(),
    startedAt: ts("started_at"),
    finishedAt: ts("finished_at"),
    updatedAt: ts("updated_at").notNull().defaultNow(),
    /** The direct driver executing the run (docs/executor.md, Direct runs); null while nobody holds it. */
    leaseOwner: text("lease_owner"),
    /**
     * Until when the lease holds; for a run nobody holds (a sleep, a wait, a retry's backoff), when it is due
     * again. An unfinished run whose time has passed is taken over by any direct driver.
     */
    leaseUntil: ts("lease_until"),
    /**
     * The start-request outbox (docs/runtime.md, "Start requests"): when the runtime's dispatcher should (re)send
     * the run's start request; null once what runs the functions accepted it, and for runs their parent starts.
     */
    dispatchAt: ts("dispatch_at"),
  },
  (t) => [
    unique("runs_org_idempotency_uq").on(t.orgId, t.idempotencyKey),
    index("runs_lease_due_idx")
      .on(t.leaseUntil)
      .where(sql`${t.status} in ('queued', 'running', 'waiting')`),
    index("runs_dispatch_due_idx")
      .on(t.dispatchAt)
      .where(sql`${t.dispatchAt} is not null`),
    unique("runs_id_org_uq").on(t.id, t.orgId),
    index("runs_org_created_idx").on(t.orgId, t.createdAt),
    index("runs_org_flow_created_idx").on(t.orgId, t.flowId, t.createdAt),
    index("runs_org_status_idx").on(t.orgId, t.status),
    index("runs_parent_idx").on(t.parentRunId),
    index("runs_rerun_of_idx").on(t.rerunOfRunId),
    foreignKey({
      name: "runs_flow_fk",
      columns: [t.flowId, t.orgId],
      foreignColumns: [flows.id, flows.orgId],
    }).onDelete("cascade"),
    foreignKey({
      name: "runs_flow_version_fk",
      columns: [t.flowVersionId, t.orgId],
      foreignColumns: [flowVersions.id, flowVersions.orgId],
    }).onDelete("cascade"),
  ],
);

/** Large values (node outputs over the inline limit) stored once and referenced by id. */
export const runBlobs = pgTable(
  "run_blobs",
  {
    id: id(),
    orgId: text("org_id").notNull(),
    runId: text("run_id").notNull(),
    /** Size of the JSON text in bytes. */
    bytes: integer("bytes").notNull(),
    /** Hex SHA-256 of the JSON text. */
    sha256: text("sha256").notNull(),
    content: jsonb("content").$type<unknown>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index("run_blobs_run_idx").on(t.runId),
    foreignKey({
      name: "run_blobs_run_fk",
      columns: [t.runId, t.orgId],
      foreignColumns: [runs.id, runs.orgId],
    }).onDelete("cascade"),
  ],
);

/** One attempt of one node in a run. Unique per (run, node, attempt), so a replayed write updates in place. */
export const runSteps = pgTable(
  "run_steps",
  {
    id: id(),
    runId: text("run_id").notNull(),
    orgId: text("org_id").notNull(),
    nodeId: text("node_id").notNull(),
    /** 0 for the first try, then 1, 2… as the executor retries. */
    attempt: integer("attempt").notNull().default(0),
    status: stepStatusEnum("status").notNull().default("pending"),
    input: jsonb("input").$type<unknown>(),
    inputBlobId: text("input_blob_id").references(() => runBlobs.id, { onDelete: "set null" }),
    output: jsonb("output").$type<unknown>(),
    outputBlobId: text("output_blob_id").references(() => runBlobs.id, { onDelete: "set null" }),
    error: jsonb("error").$type<StoredError>(),
    startedAt: ts("started_at"),
    finishedAt: ts("finished_at"),
    tokensIn: integer("tokens_in").notNull().default(0),
    tokensOut: integer("tokens_out").notNull().default(0),
    /** USD of this attempt's model calls (docs/ai.md, Usage and cost). */
    costUsd: doublePrecision("cost_usd").notNull().default(0),
    /** The output port a succeeded node fired (a rerun reuses the output on the same port). */
    port: text("port"),
    /** Set when this succeeded step was not executed but copied from that earlier run (rerun from a node). */
    reusedFromRunId: text("reused_from_run_id").references((): AnyPgColumn => runs.id, {
      onDelete: "set null",
    }),
    createdAt: createdAt(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    unique("run_steps_run_node_attempt_uq").on(t.runId, t.nodeId, t.attempt),
    index("run_steps_org_idx").on(t.orgId),
    check("run_steps_attempt_nonneg", sql`${t.attempt} >= 0`),
    foreignKey({
      name: "run_steps_run_fk",
      columns: [t.runId, t.orgId],
      foreignColumns: [runs.id, runs.orgId],
    }).onDelete("cascade"),
  ],
);

/**
 * Append-only log of what happened in a run, for the live stream and audit. `seq` is per run, starts at 1 and has
 * no gaps; a database trigger rejects UPDATE. `dedupe_key`, when set, makes an append idempotent (a replayed step
 * appending the same event again gets the stored one back).
 */
export const runEvents = pgTable(
  "run_events",
  {
    runId: text("run_id").notNull(),
    seq: integer("seq").notNull(),
    orgId: text("org_id").notNull(),
    type: text("type").notNull(),
    nodeId: text("node_id"),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull().default({}),
    dedupeKey: text("dedupe_key"),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: "run_events_pk", columns: [t.runId, t.seq] }),
    unique("run_events_run_dedupe_uq").on(t.runId, t.dedupeKey),
    index("run_events_org_idx").on(t.orgId),
    check("run_events_seq_positive", sql`${t.seq} > 0`),
    foreignKey({
      name: "run_events_run_fk",
      columns: [t.runId, t.orgId],
      foreignColumns: [runs.id, runs.orgId],
    }).onDelete("cascade"),
  ],
);

/**
 * The step journal of runs driven in-process (docs/executor.md, Direct runs): the recorded result of each step id
 * of an unfinished run, so a resumed run replays only what is not recorded. Append-only, without foreign keys
 * (nothing checks a row on the hot path); a run's rows are deleted when it finishes.
 */
export const runJournal = pgTable(
  "run_journal",
  {
    runId: text("run_id").notNull(),
    stepId: text("step_id").notNull(),
    /** The step's JSON result; SQL NULL for a step that returned nothing. */
    result: jsonb("result").$type<unknown>(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ name: "run_journal_pk", columns: [t.runId, t.stepId] })],
);

/** Human-in-the-loop requests raised by Approval nodes and their single decision. */
export const approvals = pgTable(
  "approvals",
  {
    id: id(),
    orgId: text("org_id").notNull(),
    runId: text("run_id").notNull(),
    nodeId: text("node_id").notNull(),
    /** User ids allowed to decide; empty means any member with the right role. */
    assignees: text("assignees").array().notNull().default([]),
    message: text("message").notNull().default(""),
    /** JSON Schema of the form the decider fills in, if any. */
    formSchema: jsonb("form_schema").$type<Record<string, unknown>>(),
    /** The data under review the Approval node sent; SQL NULL on rows opened before it was stored. */
    data: jsonb("data").$type<unknown>(),
    status: approvalStatusEnum("status").notNull().default("pending"),
    decidedBy: text("decided_by").references(() => users.id, { onDelete: "set null" }),
    comment: text("comment"),
    formData: jsonb("form_data").$type<Record<string, unknown>>(),
    decidedAt: ts("decided_at"),
    expiresAt: ts("expires_at"),
    createdAt: createdAt(),
  },
  (t) => [
    unique("approvals_run_node_uq").on(t.runId, t.nodeId),
    index("approvals_org_status_idx").on(t.orgId, t.status, t.createdAt),
    foreignKey({
      name: "approvals_run_fk",
      columns: [t.runId, t.orgId],
      foreignColumns: [runs.id, runs.orgId],
    }).onDelete("cascade"),
  ],
);
