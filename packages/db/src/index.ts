export * from "./client";
export * from "./errors";
export { listenOnChannel } from "./listen";
export type { ChannelListener, ChannelListenOptions } from "./listen";
export { pendingMigrations } from "./migration-status";
export { createDbFromEnv, dbEnv, DEFAULT_DATA_DIR, resolveDataDir } from "./env";
export type { DbEnv } from "./env";
export * as schema from "./schema";
export {
  and,
  asc,
  desc,
  eq,
  getTableColumns,
  gt,
  gte,
  inArray,
  isNull,
  lt,
  lte,
  ne,
  or,
  sql,
} from "drizzle-orm";
