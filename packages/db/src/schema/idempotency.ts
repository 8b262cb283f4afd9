import { index, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

import { createdAt } from "./columns";
import { orgs } from "./orgs";

/**
 * Idempotency keys of run-starting requests (REST, webhooks, tRPC `runs.start`), one row per org, scope and key
 * (docs/rest.md, "Idempotency"). `claimId` changes each time an expired key is claimed again, and names the run the
 * claim starts, so concurrent requests of one claim start one run and a reuse after expiry starts a new one.
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    /** What the key is unique within: `runs` (REST and tRPC starts) or `hook:<triggerId>` (one webhook). */
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    /** Hex SHA-256 of what the request asked for (target and body); a reuse with another hash is refused. */
    requestHash: text("request_hash").notNull(),
    claimId: text("claim_id").notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.scope, t.key] }),
    index("idempotency_keys_expires_idx").on(t.expiresAt),
  ],
);
