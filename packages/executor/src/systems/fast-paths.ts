import { sql } from "@runnel/db";

import type { JobRow } from "../queue";
import type { RunLifecycle } from "./lifecycle";
import type { ExecutorResources } from "./resources";
import type { HttpAnswer } from "./sdk-request";
import type { Continuation, RunRow } from "./types";
import { internalEvents } from "../internal-events";
import { OpsResponse } from "../protocol";

/**
 * The two most common answers, each applied in one statement instead of a transaction: a sequential run ran
 * one step, and a run nobody waits for completed. Each does exactly what ResponseHandler would do.
 */
export class FastPaths {
  constructor(
    private readonly r: ExecutorResources,
    private readonly lifecycle: RunLifecycle,
  ) {}

  /**
   * A run without parallel steps ran one step (StepRun). Deleting the leased job, recording the result and
   * leasing the run's next call to this worker happen atomically, exactly as the transaction in
   * ResponseHandler would do them, in one round trip.
   */
  async step(
    run: RunRow,
    job: JobRow,
    response: HttpAnswer,
    startedAt: Date,
  ): Promise<Continuation | undefined> {
    if (
      run.disableImmediate ||
      !this.r.worker.running ||
      "failure" in response ||
      response.status !== 206
    )
      return undefined;
    const ops = OpsResponse.safeParse(response.body);
    const op = ops.success && ops.data.length === 1 ? ops.data[0] : undefined;
    if (!op || op.op !== "StepRun") return undefined;
    const now = new Date();
    const data = JSON.stringify(op.data ?? null);
    const key = `call:${run.id}:step`;
    const leaseExpires = new Date(now.getTime() + this.r.settings.leaseMs);
    const concurrency = JSON.stringify(run.concurrency);
    const result = await this.r.store.db.execute(sql`
      with owned as (
        delete from runnel_executor.jobs where id = ${job.id} and lease_owner = ${this.r.settings.workerId} returning id
      ), saved as (
        insert into runnel_executor.steps (run_id, id, op, name, display_name, status, has_result, data, attempts, started_at, ended_at)
        select ${run.id}, ${op.id}, 'StepRun', ${op.name ?? null}, ${op.displayName ?? null}, 'completed', true, ${data}::jsonb,
               ${job.attempt + 1}, ${startedAt.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz
        from owned
        on conflict (run_id, id) do update set status = 'completed', has_result = true, data = excluded.data, error = null,
          attempts = excluded.attempts, ended_at = excluded.ended_at
          where runnel_executor.steps.has_result = false
        returning id
      )
      insert into runnel_executor.jobs (key, kind, run_id, step_id, attempt, due_at, lease_owner, lease_expires, concurrency)
      select ${key}, 'call', ${run.id}, 'step', 0, ${now.toISOString()}::timestamptz, ${this.r.settings.workerId},
             ${leaseExpires.toISOString()}::timestamptz, ${concurrency}::jsonb
      from saved
      returning id`);
    const [row] = (result as { rows: { id: number | string | bigint }[] }).rows;
    if (!row)
      return {
        job: { ...job, id: -1 },
        added: { id: op.id, entry: { data: op.data ?? null } },
        lost: true,
      };
    return {
      job: {
        id: Number(row.id),
        key,
        kind: "call",
        runId: run.id,
        stepId: "step",
        attempt: 0,
        dueAt: now,
        leaseOwner: this.r.settings.workerId,
        leaseExpires,
        concurrency: run.concurrency,
        payload: null,
      },
      added: { id: op.id, entry: { data: op.data ?? null } },
    };
  }

  /**
   * A run without a parent whose end nobody listens for completed: release the job, store the output and
   * clear the run's remaining work in one statement (what finishRun does in that case).
   */
  async finish(run: RunRow, job: JobRow, response: HttpAnswer): Promise<boolean> {
    if ("failure" in response) return false;
    if (run.parentRunId || this.lifecycle.isListenedTo(internalEvents.finished)) return false;
    let result: unknown;
    if (response.status === 200) result = response.body;
    else if (response.status === 206) {
      // A checkpointing request ends with RunComplete once every step was checkpointed.
      const ops = OpsResponse.safeParse(response.body);
      const op = ops.success && ops.data.length === 1 ? ops.data[0] : undefined;
      if (op?.op !== "RunComplete") return false;
      result = op.data;
    } else return false;
    const output = JSON.stringify(result ?? null);
    await this.r.store.db.execute(sql`
      with owned as (
        delete from runnel_executor.jobs where id = ${job.id} and lease_owner = ${this.r.settings.workerId} returning id
      ), finished as (
        update runnel_executor.runs set status = 'completed', output = ${output}::jsonb, error = null,
          ended_at = ${new Date().toISOString()}::timestamptz
        where id = ${run.id} and status = 'running' and exists (select 1 from owned)
        returning id
      ), other_jobs as (
        delete from runnel_executor.jobs where run_id in (select id from finished) and id <> ${job.id}
      )
      delete from runnel_executor.waits where run_id in (select id from finished)`);
    return true;
  }
}
