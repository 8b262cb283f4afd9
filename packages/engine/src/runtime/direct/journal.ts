import type { Database } from "@runnel/db";
import { inArray, sql } from "@runnel/db";
import { runJournal } from "@runnel/db/schema";

import { createCommitQueue } from "./commit-queue";

export type JournalEntry = { runId: string; stepId: string; result: unknown };

/** Writes journal rows (one per key: a later entry for the same key, a retry counter, replaces an earlier one). */
export async function writeJournal(db: Database, entries: readonly JournalEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const rows = new Map<string, JournalEntry>();
  for (const entry of entries) rows.set(`${entry.runId}\u0000${entry.stepId}`, entry);
  await db
    .insert(runJournal)
    .values([...rows.values()].map(({ runId, stepId, result }) => ({ runId, stepId, result })))
    .onConflictDoUpdate({
      target: [runJournal.runId, runJournal.stepId],
      set: { result: sql`excluded.result` },
    });
}

/**
 * The step journal of direct runs (table `run_journal`): step results by step id, written through a commit queue
 * so the steps of concurrent runs share commits; a finished run's rows are deleted the same way.
 */
export function createRunJournal(db: Database) {
  const writes = createCommitQueue<JournalEntry>((entries) => writeJournal(db, entries));
  const deletes = createCommitQueue<string>(async (runIds) => {
    await db.delete(runJournal).where(inArray(runJournal.runId, [...new Set(runIds)]));
  });
  return {
    /** Every recorded step of a run, by step id. */
    async read(runId: string): Promise<Map<string, unknown>> {
      const rows = await db
        .select({ stepId: runJournal.stepId, result: runJournal.result })
        .from(runJournal)
        .where(sql`${runJournal.runId} = ${runId}`);
      return new Map(rows.map((row) => [row.stepId, row.result]));
    },
    /** Resolves once the result is committed. */
    record: (runId: string, stepId: string, result: unknown) =>
      writes.enqueue({ runId, stepId, result: result ?? null }),
    forget: (runId: string) => deletes.enqueue(runId),
  };
}

export type RunJournal = ReturnType<typeof createRunJournal>;
