import { index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

import { users } from "./auth";
import { createdAt, id } from "./columns";
import { orgs } from "./orgs";

/**
 * Secrets for nodes (OpenAI keys, HTTP auth, ...). `secret` is an AES-256-GCM envelope whose
 * additional authenticated data binds it to (org_id, id): copied into another row it fails to decrypt.
 */
export const credentials = pgTable(
  "credentials",
  {
    id: id(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    name: text("name").notNull(),
    secret: text("secret").notNull(),
    keyVersion: integer("key_version").notNull().default(1),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [index("credentials_org_idx").on(t.orgId)],
);
