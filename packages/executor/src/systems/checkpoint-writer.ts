import { sql } from "@runnel/db";

import type { ExecutorResources } from "./resources";

/** Steps one checkpoint reports, for the job `jobId` leased to `owner`. */
export interface CheckpointWrite {
  runId: string;
  jobId: number;
  owner: string;
  steps: { id: string; name: string | null; displayName: string | null; data: unknown }[];
}

interface Pending {
  write: CheckpointWrite;
  resolve(owned: boolean): void;
  reject(error: unknown): void;
}

/**
 * Writes checkpoints, coalescing concurrent ones into one statement (one round trip and one commit for all of
 * them): while a statement is in flight, arriving checkpoints queue and go together into the next. A step is
 * still durable before its checkpoint is answered; batching only shares the commit (docs/executor.md,
 * "Checkpointing"). Each checkpoint's job must still be leased to its owner, with its run running, else that
 * checkpoint (alone) is refused.
 */
export class CheckpointWriter {
  private queue: Pending[] = [];
  private writing = false;

  constructor(private readonly r: ExecutorResources) {}

  /** Stores the steps; false when the job is no longer leased to the owner or the run ended (nothing stored). */
  write(write: CheckpointWrite): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ write, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        try {
          const owned = await this.writeBatch(batch.map((pending) => pending.write));
          for (const pending of batch) pending.resolve(owned.has(pending.write.jobId));
        } catch (error) {
          for (const pending of batch) pending.reject(error);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  /** The queued checkpoints, one per run (a run's second one waits for the next statement). */
  private takeBatch(): Pending[] {
    const runs = new Set<string>();
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    for (const pending of this.queue) {
      if (runs.has(pending.write.runId)) rest.push(pending);
      else {
        runs.add(pending.write.runId);
        batch.push(pending);
      }
    }
    this.queue = rest;
    return batch;
  }

  /** One statement: extend the leases still held (locked in id order), store their steps in order. */
  private async writeBatch(writes: CheckpointWrite[]): Promise<Set<number>> {
    const input = JSON.stringify(
      writes.map((write) => ({
        job: write.jobId,
        owner: write.owner,
        run: write.runId,
        steps: write.steps,
      })),
    );
    const leaseExpires = new Date(Date.now() + this.r.settings.leaseMs).toISOString();
    const result = await this.r.store.db.execute(sql`
      with input as (
        select (c.value->>'job')::bigint as job_id, c.value->>'owner' as owner, c.value->>'run' as run_id,
               c.value->'steps' as steps
        from jsonb_array_elements(${input}::jsonb) as c(value)
      ), current as (
        select j.id, j.attempt, i.run_id, i.steps
        from runnel_executor.jobs j
        join input i on j.id = i.job_id and j.lease_owner = i.owner and j.run_id = i.run_id
        join runnel_executor.runs r on r.id = i.run_id and r.status = 'running'
        order by j.id
        for update of j
      ), owned as (
        update runnel_executor.jobs j set lease_expires = ${leaseExpires}::timestamptz
        from current c where j.id = c.id
        returning c.id, c.attempt, c.run_id, c.steps
      ), saved as (
        insert into runnel_executor.steps (run_id, id, op, name, display_name, status, has_result, data, attempts, created_at, started_at, ended_at)
        select o.run_id, s.value->>'id', 'StepRun', s.value->>'name', s.value->>'displayName', 'completed', true,
               coalesce(s.value->'data', 'null'::jsonb), o.attempt + 1, clock_timestamp(), clock_timestamp(), clock_timestamp()
        from owned o, jsonb_array_elements(o.steps) with ordinality as s(value, n)
        order by o.id, s.n
        on conflict (run_id, id) do update set status = 'completed', has_result = true, data = excluded.data, error = null,
          attempts = excluded.attempts, ended_at = excluded.ended_at
          where runnel_executor.steps.has_result = false
        returning 1
      )
      select id from owned`);
    const rows = (result as { rows: { id: number | string }[] }).rows;
    return new Set(rows.map((row) => Number(row.id)));
  }
}
