import { and, eq } from "@runnel/db";

import type { MemoEntry } from "../protocol";
import type { JobRow } from "../queue";
import type { FastPaths } from "./fast-paths";
import type { RunLifecycle } from "./lifecycle";
import type { ExecutorResources } from "./resources";
import type { ResponseHandler } from "./response";
import type { KnownRun, NextJob } from "./types";
import { takeOwnership } from "../queue";
import { runs, steps } from "../schema";
import { buildRunRequest, sendRunRequest } from "./sdk-request";

/**
 * A call job: one request to the function's serve endpoint with the run's memo, then its answer applied. A
 * sequential run continues in this worker with the memo it already holds.
 */
export class CallSystem {
  constructor(
    private readonly r: ExecutorResources,
    private readonly systems: {
      lifecycle: RunLifecycle;
      fastPaths: FastPaths;
      response: ResponseHandler;
    },
  ) {}

  async handleCall(job: JobRow, known?: KnownRun): Promise<NextJob | undefined> {
    const { store, settings } = this.r;
    const { lifecycle, fastPaths, response: handler } = this.systems;
    const runId = job.runId ?? "";
    const run =
      known?.run ?? (await store.db.select().from(runs).where(eq(runs.id, runId)).limit(1))[0];
    if (!run || run.status !== "running") {
      await store.tx((tx) => takeOwnership(tx, job, settings.workerId));
      return undefined;
    }
    const fn = this.r.registry.get(run.functionId);
    if (!fn) {
      await store.tx(async (tx) => {
        if (!(await takeOwnership(tx, job, settings.workerId))) return;
        await lifecycle.finishRun(tx, run, {
          status: "failed",
          error: {
            name: "FunctionNotFoundError",
            message: `function "${run.functionId}" is not registered with the executor`,
          },
        });
      });
      return undefined;
    }
    const { memo, stack } = known ?? (await this.readMemo(runId));

    if (job.stepId !== "step" && job.stepId in memo) {
      // The planned step already has a result (e.g. a duplicate job): just let the run continue.
      await store.tx(async (tx) => {
        if (await takeOwnership(tx, job, settings.workerId))
          await lifecycle.scheduleDiscovery(tx, run);
      });
      this.r.wake.wake();
      return undefined;
    }

    // Only a discovery request with immediate execution allowed can checkpoint (InngestFunction.shouldAsyncCheckpoint).
    const checkpointing = settings.checkpointing && job.stepId === "step" && !run.disableImmediate;
    const request = buildRunRequest(this.r, fn, run, job, { steps: memo, stack }, checkpointing);
    const startedAt = new Date();
    const answer = await sendRunRequest(this.r, request);

    // Owning the job proves the run is still running: finishing or cancelling a run deletes all its jobs.
    if (await fastPaths.finish(run, job, answer)) {
      this.r.wake.wake();
      return undefined;
    }
    const applied =
      (await fastPaths.step(run, job, answer, startedAt)) ??
      (await store.tx(async (tx) =>
        (await takeOwnership(tx, job, settings.workerId))
          ? handler.apply(tx, run, job, answer, startedAt)
          : undefined,
      ));
    if (!applied || applied.lost) {
      this.r.wake.wake();
      return undefined;
    }
    // Steps checkpointed during the request are in the database only: the next call reads the memo again.
    if (checkpointing) return { job: applied.job };
    const { id, entry } = applied.added;
    return {
      job: applied.job,
      known: { run, memo: { ...memo, [id]: entry }, stack: [...stack, id] },
    };
  }

  /** The run's memoized step results, in the order they ended. */
  private async readMemo(
    runId: string,
  ): Promise<{ memo: Record<string, MemoEntry>; stack: string[] }> {
    const memoRows = await this.r.store.db
      .select({ id: steps.id, data: steps.data, error: steps.error })
      .from(steps)
      .where(and(eq(steps.runId, runId), eq(steps.hasResult, true)))
      .orderBy(steps.endedAt, steps.id);
    const memo: Record<string, MemoEntry> = {};
    for (const row of memoRows)
      memo[row.id] = row.error !== null ? { error: row.error } : { data: row.data };
    return { memo, stack: memoRows.map((row) => row.id) };
  }
}
