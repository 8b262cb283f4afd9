import type { Database, Driver } from "@runnel/db";

import type { RunEventBus } from "./subscription";
import { createInProcessEventBus } from "./in-process";
import { createPgEventBus } from "./pg";

export * from "./in-process";
export * from "./pg";
export type {
  RunEventBus,
  RunEventNotice,
  RunEventNotifier,
  SubscribeOptions,
} from "./subscription";

export interface RunEventBusOptions {
  db: Database;
  driver: Driver;
  /** The database URL; required for the cross-process bus. */
  url?: string;
  /** "auto" (default): in-process on PGlite, LISTEN/NOTIFY on a server. */
  transport?: "auto" | "in-process" | "postgres";
}

/** The bus that fits a database handle: PGlite is single-process, a server is shared by processes. */
export async function createRunEventBus(options: RunEventBusOptions): Promise<RunEventBus> {
  const transport =
    options.transport && options.transport !== "auto"
      ? options.transport
      : options.driver === "pglite"
        ? "in-process"
        : "postgres";
  if (transport === "in-process") return createInProcessEventBus({ db: options.db });
  if (!options.url)
    throw new Error("createRunEventBus: the postgres transport needs the database url");
  return createPgEventBus({ db: options.db, url: options.url });
}
