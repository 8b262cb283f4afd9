import type { Database } from "@runnel/db";
import { inArray, sql } from "@runnel/db";
import { runs } from "@runnel/db/schema";

/** A scrape reads the table at most this often; scrapes in between get the last answer. */
const CACHE_MS = 5000;

let cached: { at: number; value: Promise<Record<string, number>> } | undefined;

/** Runs not finished yet, by status (queued, running, waiting), across all orgs: the queue depth of the metrics. */
export function unfinishedRuns(db: Database): Promise<Record<string, number>> {
  const now = Date.now();
  if (cached && now - cached.at < CACHE_MS) return cached.value;
  const value = db
    .select({ status: runs.status, count: sql<number>`count(*)::int` })
    .from(runs)
    .where(inArray(runs.status, ["queued", "running", "waiting"]))
    .groupBy(runs.status)
    .then((rows) => Object.fromEntries(rows.map((row) => [row.status, Number(row.count)])));
  cached = { at: now, value };
  value.catch(() => {
    if (cached?.value === value) cached = undefined;
  });
  return value;
}
