import { index, jsonb, pgTable, text } from "drizzle-orm/pg-core";

import { createdAt, id } from "./columns";

/** Append-only record of security-relevant actions. Not foreign-keyed: it outlives what it names. */
export const auditLog = pgTable(
  "audit_log",
  {
    id: id(),
    orgId: text("org_id"),
    actorUserId: text("actor_user_id"),
    actorApiKeyId: text("actor_api_key_id"),
    /** Dotted verb, e.g. `auth.sign_in`, `membership.role_changed`, `api_key.revoked`. */
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    ip: text("ip"),
    requestId: text("request_id"),
    createdAt: createdAt(),
  },
  (t) => [index("audit_log_org_idx").on(t.orgId, t.createdAt)],
);
