import { randomUUID } from "node:crypto";
import { text, timestamp } from "drizzle-orm/pg-core";

/** Primary keys are random UUIDs stored as text, so a malformed id is simply "not found". */
export const id = () =>
  text("id")
    .primaryKey()
    .$defaultFn(() => randomUUID());

export const createdAt = () =>
  timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();
