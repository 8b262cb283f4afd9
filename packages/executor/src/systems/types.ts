import type { MemoEntry } from "../protocol";
import type { JobRow } from "../queue";
import type { runs } from "../schema";

export type RunRow = typeof runs.$inferSelect;

/** What a worker already knows about a run it continues without going through the queue. */
export interface KnownRun {
  run: RunRow;
  memo: Record<string, MemoEntry>;
  stack: string[];
}

/** A step result a worker just stored, and the run's next call, already leased to it. */
export interface Continuation {
  job: JobRow;
  added: { id: string; entry: MemoEntry };
  /** The job was no longer ours (run ended or another worker took it over): nothing to continue. */
  lost?: boolean;
}

/** The job a worker handles next (of the same run), with what it knows about the run. */
export interface NextJob {
  job: JobRow;
  known?: KnownRun;
}
