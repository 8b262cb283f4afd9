import { eq } from "@runnel/db";

import type { OutgoingOp } from "../protocol";
import type { JobRow } from "../queue";
import type { Tx } from "../store";
import type { ErrorShape } from "./errors";
import type { RunLifecycle } from "./lifecycle";
import type { ExecutorResources } from "./resources";
import type { RunRow } from "./types";
import { backoffDelay, retryAfterDelay } from "../backoff";
import { runs, steps } from "../schema";
import { toError } from "./errors";

/** Attempts of a call: the function body or a step failed, and the run has attempts left (or fails). */
export class Retries {
  constructor(
    private readonly r: ExecutorResources,
    private readonly lifecycle: RunLifecycle,
  ) {}

  /** The request failed or the function body threw: call again after a backoff, or fail the run. */
  async retryOrFail(
    tx: Tx,
    run: RunRow,
    job: JobRow,
    error: ErrorShape,
    retryAfter: string | null | undefined,
  ): Promise<undefined> {
    if (job.attempt + 1 >= run.maxAttempts) {
      await this.lifecycle.finishRun(tx, run, { status: "failed", error });
      return undefined;
    }
    await tx.update(runs).set({ error }).where(eq(runs.id, run.id));
    await this.callAgainLater(tx, run, job, retryAfter);
    return undefined;
  }

  /**
   * A step threw a retriable error (StepError) and has attempts left: mark it retrying and call again after
   * a backoff. Answers false when no attempt is left (the error then goes to the function as StepFailed).
   */
  async retryStep(
    tx: Tx,
    run: RunRow,
    job: JobRow,
    op: OutgoingOp,
    headers: Headers,
    startedAt: Date,
  ): Promise<boolean> {
    if (job.attempt + 1 >= run.maxAttempts) return false;
    const error = toError(op.error, "step failed");
    await tx
      .insert(steps)
      .values({
        runId: run.id,
        id: op.id,
        op: "StepRun",
        name: op.name ?? null,
        displayName: op.displayName ?? null,
        status: "retrying",
        error,
        attempts: job.attempt + 1,
        startedAt,
      })
      .onConflictDoUpdate({
        target: [steps.runId, steps.id],
        set: { status: "retrying", error, attempts: job.attempt + 1 },
        setWhere: eq(steps.hasResult, false),
      });
    await this.callAgainLater(tx, run, job, headers.get("retry-after"));
    return true;
  }

  /** The job's next attempt, after the answer's Retry-After or the backoff of this attempt. */
  private async callAgainLater(
    tx: Tx,
    run: RunRow,
    job: JobRow,
    retryAfter: string | null | undefined,
  ): Promise<void> {
    const now = Date.now();
    const delay =
      retryAfterDelay(retryAfter, now) ?? backoffDelay(job.attempt, this.r.settings.backoff);
    await this.lifecycle.insertJob(tx, {
      key: job.key,
      kind: "call",
      runId: run.id,
      stepId: job.stepId,
      dueAt: new Date(now + delay),
      attempt: job.attempt + 1,
      concurrency: run.concurrency,
    });
  }
}
