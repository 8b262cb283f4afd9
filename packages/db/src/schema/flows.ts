import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  unique,
  uniqueIndex,
} from "drizzle-orm/pg-core";

import { users } from "./auth";
import { createdAt, id } from "./columns";
import { orgs } from "./orgs";

/**
 * A flow definition as stored: `{ nodes, edges }` validated by the engine's FlowDefinition schema before it is
 * written. The database keeps it as opaque JSON (packages/db may not import the engine).
 */
export type StoredFlowDefinition = Record<string, unknown>;

const updatedAt = () =>
  timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();

/** A flow: its editable draft plus metadata. Soft-deleted flows keep their versions and runs. */
export const flows = pgTable(
  "flows",
  {
    id: id(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** URL-safe name, unique per org among flows that are not deleted. */
    slug: text("slug").notNull(),
    description: text("description").notNull().default(""),
    draft: jsonb("draft").$type<StoredFlowDefinition>().notNull().default({ nodes: [], edges: [] }),
    draftUpdatedAt: timestamp("draft_updated_at", { withTimezone: true, mode: "date" })
      .notNull()
      .defaultNow(),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: timestamp("deleted_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    uniqueIndex("flows_org_slug_uq")
      .on(t.orgId, t.slug)
      .where(sql`${t.deletedAt} is null`),
    index("flows_org_updated_idx").on(t.orgId, t.updatedAt),
    // Target of the composite (id, org_id) foreign keys that keep children in their flow's org.
    unique("flows_id_org_uq").on(t.id, t.orgId),
  ],
);

export const FLOW_VERSION_KINDS = ["published", "test"] as const;
export type FlowVersionKind = (typeof FLOW_VERSION_KINDS)[number];
export const flowVersionKindEnum = pgEnum("flow_version_kind", FLOW_VERSION_KINDS);

/**
 * Immutable snapshots of a flow (a database trigger rejects UPDATE). `published` versions are numbered 1, 2, 3…
 * per flow; `test` snapshots (the draft as it was when a test run started) all have number 0 and are not
 * versions: lists, latest-version lookups, deployments and numbering read `published` rows only.
 */
export const flowVersions = pgTable(
  "flow_versions",
  {
    id: id(),
    flowId: text("flow_id").notNull(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    kind: flowVersionKindEnum("kind").notNull().default("published"),
    /** 1, 2, 3… per flow for published versions; 0 for test snapshots. */
    number: integer("number").notNull(),
    definition: jsonb("definition").$type<StoredFlowDefinition>().notNull(),
    message: text("message").notNull().default(""),
    authorId: text("author_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("flow_versions_flow_number_uq")
      .on(t.flowId, t.number)
      .where(sql`${t.kind} = 'published'`),
    check(
      "flow_versions_number_by_kind",
      sql`(${t.kind} = 'published' and ${t.number} > 0) or (${t.kind} = 'test' and ${t.number} = 0)`,
    ),
    unique("flow_versions_id_org_uq").on(t.id, t.orgId),
    index("flow_versions_org_idx").on(t.orgId),
    foreignKey({
      name: "flow_versions_flow_fk",
      columns: [t.flowId, t.orgId],
      foreignColumns: [flows.id, flows.orgId],
    }).onDelete("cascade"),
  ],
);

/** A flow exposed at a public slug, pinned to one version, with its public settings (input schema, auth…). */
export const deployments = pgTable(
  "deployments",
  {
    id: id(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    flowId: text("flow_id").notNull(),
    versionId: text("version_id").notNull(),
    slug: text("slug").notNull(),
    enabled: boolean("enabled").notNull().default(true),
    settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique("deployments_org_slug_uq").on(t.orgId, t.slug),
    index("deployments_org_flow_idx").on(t.orgId, t.flowId),
    foreignKey({
      name: "deployments_flow_fk",
      columns: [t.flowId, t.orgId],
      foreignColumns: [flows.id, flows.orgId],
    }).onDelete("cascade"),
    foreignKey({
      name: "deployments_version_fk",
      columns: [t.versionId, t.orgId],
      foreignColumns: [flowVersions.id, flowVersions.orgId],
    }).onDelete("no action"),
  ],
);

export const TRIGGER_KINDS = ["webhook", "schedule"] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];
export const triggerKindEnum = pgEnum("trigger_kind", TRIGGER_KINDS);

/**
 * Webhook and schedule triggers of a flow.
 * Webhooks: `hook_id` is the public random id in `/api/hooks/{hookId}` (unique across orgs, since the URL carries
 * no org); `secret` is the HMAC signing secret as an `@runnel/db/crypto` envelope made with
 * `encryptCredential({ orgId, credentialId: <trigger id>, data: { secret } })`, because verifying a signature needs
 * the plaintext. Schedules: `cron` in `timezone` (IANA name), `next_run_at` maintained by the scheduler.
 */
export const triggers = pgTable(
  "triggers",
  {
    id: id(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    flowId: text("flow_id").notNull(),
    /** The trigger node in the flow definition this row belongs to. */
    nodeId: text("node_id"),
    kind: triggerKindEnum("kind").notNull(),
    hookId: text("hook_id").unique("triggers_hook_id_uq"),
    secret: text("secret"),
    cron: text("cron"),
    timezone: text("timezone"),
    nextRunAt: timestamp("next_run_at", { withTimezone: true, mode: "date" }),
    lastRunAt: timestamp("last_run_at", { withTimezone: true, mode: "date" }),
    enabled: boolean("enabled").notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("triggers_org_flow_idx").on(t.orgId, t.flowId),
    index("triggers_due_idx")
      .on(t.nextRunAt)
      .where(sql`${t.kind} = 'schedule' and ${t.enabled}`),
    check("triggers_webhook_has_hook_id", sql`${t.kind} <> 'webhook' or ${t.hookId} is not null`),
    check(
      "triggers_schedule_has_cron",
      sql`${t.kind} <> 'schedule' or (${t.cron} is not null and ${t.timezone} is not null)`,
    ),
    foreignKey({
      name: "triggers_flow_fk",
      columns: [t.flowId, t.orgId],
      foreignColumns: [flows.id, flows.orgId],
    }).onDelete("cascade"),
  ],
);
