import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

/** The executor keeps all of its state in its own Postgres schema, apart from the app's tables. */
export const executorSchema = pgSchema("runnel_executor");

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** A registered Inngest app (one serve endpoint) and the raw function configs it sent. */
export const apps = executorSchema.table("apps", {
  id: text("id").primaryKey(),
  url: text("url").notNull(),
  sdk: text("sdk"),
  framework: text("framework"),
  functions: jsonb("functions").notNull(),
  updatedAt: ts("updated_at").notNull().defaultNow(),
});

/** One function of a registered app, as the SDK described it at registration. */
export const functions = executorSchema.table(
  "functions",
  {
    id: text("id").primaryKey(),
    appId: text("app_id").notNull(),
    name: text("name").notNull(),
    url: text("url").notNull(),
    config: jsonb("config").notNull(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [index("functions_app_idx").on(t.appId)],
);

/** Every event received (deduplicated by id for 24 hours). */
export const events = executorSchema.table(
  "events",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    data: jsonb("data").notNull(),
    user: jsonb("user"),
    ts: bigint("ts", { mode: "number" }).notNull(),
    receivedAt: ts("received_at").notNull().defaultNow(),
  },
  (t) => [index("events_name_idx").on(t.name, t.receivedAt)],
);

export type RunStatus = "running" | "completed" | "failed" | "cancelled";

export const runs = executorSchema.table(
  "runs",
  {
    id: text("id").primaryKey(),
    functionId: text("function_id").notNull(),
    status: text("status").$type<RunStatus>().notNull(),
    /** Id of the triggering event (for GET /v1/events/:id/runs). */
    eventId: text("event_id").notNull(),
    event: jsonb("event").notNull(),
    output: jsonb("output"),
    error: jsonb("error"),
    maxAttempts: integer("max_attempts").notNull(),
    /** Set once the run has planned parallel steps: from then on every step is run by its own request. */
    disableImmediate: boolean("disable_immediate").notNull().default(false),
    /** Concurrency limits this run counts against: [{ key, limit }]. */
    concurrency: jsonb("concurrency")
      .notNull()
      .default(sql`'[]'::jsonb`),
    parentRunId: text("parent_run_id"),
    parentStepId: text("parent_step_id"),
    cancelledBy: text("cancelled_by"),
    createdAt: ts("created_at").notNull().defaultNow(),
    endedAt: ts("ended_at"),
  },
  (t) => [
    index("runs_created_idx").on(t.createdAt),
    index("runs_function_idx").on(t.functionId, t.createdAt),
    index("runs_parent_idx").on(t.parentRunId),
    index("runs_event_idx").on(t.eventId),
  ],
);

export type StepStatus =
  "planned" | "running" | "retrying" | "sleeping" | "waiting" | "invoking" | "completed" | "failed";

/** Steps of a run: the memo (rows with has_result) and the history shown by the runs API. */
export const steps = executorSchema.table(
  "steps",
  {
    runId: text("run_id").notNull(),
    id: text("id").notNull(),
    op: text("op").notNull(),
    name: text("name"),
    displayName: text("display_name"),
    status: text("status").$type<StepStatus>().notNull(),
    opts: jsonb("opts"),
    hasResult: boolean("has_result").notNull().default(false),
    data: jsonb("data"),
    error: jsonb("error"),
    attempts: integer("attempts").notNull().default(0),
    createdAt: ts("created_at").notNull().defaultNow(),
    startedAt: ts("started_at"),
    endedAt: ts("ended_at"),
  },
  (t) => [primaryKey({ columns: [t.runId, t.id] })],
);

export type JobKind = "call" | "sleep" | "wait-timeout" | "invoke-timeout" | "cron";

/**
 * The work queue. A job is due at `due_at`; a worker leases it (owner + expiry) while it works on it and
 * deletes it in the transaction that records the result. An expired lease means the worker died: the
 * job is claimed again.
 */
export const jobs = executorSchema.table(
  "jobs",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /** Deduplicates pending work: at most one unleased job per key. */
    key: text("key").notNull(),
    kind: text("kind").$type<JobKind>().notNull(),
    runId: text("run_id"),
    stepId: text("step_id").notNull(),
    attempt: integer("attempt").notNull().default(0),
    dueAt: ts("due_at").notNull(),
    leaseOwner: text("lease_owner"),
    leaseExpires: ts("lease_expires"),
    concurrency: jsonb("concurrency")
      .notNull()
      .default(sql`'[]'::jsonb`),
    payload: jsonb("payload"),
  },
  (t) => [
    index("jobs_due_idx").on(t.dueAt),
    index("jobs_run_idx").on(t.runId),
    uniqueIndex("jobs_pending_key_idx")
      .on(t.key)
      .where(sql`lease_owner is null`),
  ],
);

export type WaitKind = "event" | "cancel";

/** Runs waiting for an event: step.waitForEvent (kind event) and cancelOn (kind cancel). */
export const waits = executorSchema.table(
  "waits",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    runId: text("run_id").notNull(),
    kind: text("kind").$type<WaitKind>().notNull(),
    stepId: text("step_id"),
    eventName: text("event_name").notNull(),
    expression: text("expression"),
    expiresAt: ts("expires_at"),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [index("waits_event_idx").on(t.eventName), index("waits_run_idx").on(t.runId)],
);

/** Idempotency keys per function, each valid for 24 hours. */
export const idempotency = executorSchema.table(
  "idempotency",
  {
    functionId: text("function_id").notNull(),
    key: text("key").notNull(),
    runId: text("run_id").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.functionId, t.key] })],
);
