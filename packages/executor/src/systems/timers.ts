import { and, eq } from "@runnel/db";

import type { MemoEntry } from "../protocol";
import type { JobRow } from "../queue";
import type { RunLifecycle } from "./lifecycle";
import type { ExecutorResources } from "./resources";
import { cronOfJob, insertTimerEvent, scheduleNextCronTick } from "../cron";
import { takeOwnership } from "../queue";
import { waits } from "../schema";

/** Jobs that fire at a time: a sleep ends, a wait or an invoke times out, a cron schedule ticks. */
export class TimerJobs {
  constructor(
    private readonly r: ExecutorResources,
    private readonly lifecycle: RunLifecycle,
  ) {}

  /** A sleep ended (the step resolves to null), a wait timed out (null), an invoke timed out (an error). */
  async fire(job: JobRow): Promise<void> {
    await this.r.store.tx(async (tx) => {
      if (!(await takeOwnership(tx, job, this.r.settings.workerId)) || !job.runId) return;
      if (job.kind === "wait-timeout") {
        const removed = await tx
          .delete(waits)
          .where(
            and(eq(waits.runId, job.runId), eq(waits.stepId, job.stepId), eq(waits.kind, "event")),
          )
          .returning({ id: waits.id });
        if (removed.length === 0) return;
      }
      const result: MemoEntry =
        job.kind === "invoke-timeout"
          ? {
              error: {
                name: "InngestInvokeTimeoutError",
                message: "Timed out waiting for the invoked function to complete",
              },
            }
          : { data: null };
      await this.lifecycle.resolveStep(tx, job.runId, job.stepId, result);
    });
    this.r.wake.wake();
  }

  /** A cron schedule ticked: start a run with an inngest/scheduled.timer event, schedule the next tick. */
  async fireCron(job: JobRow): Promise<void> {
    const cron = cronOfJob(job);
    await this.r.store.tx(async (tx) => {
      if (!(await takeOwnership(tx, job, this.r.settings.workerId))) return;
      const fn = this.r.registry.get(job.stepId);
      if (!fn || !fn.config.triggers.some((t) => "cron" in t && t.cron === cron)) return;
      const now = new Date();
      const event = await insertTimerEvent(tx, cron, now);
      await this.lifecycle.createRun(tx, fn, event);
      await scheduleNextCronTick(tx, job, cron, now, this.r.settings.leaseMs);
    });
    this.r.wake.wake();
  }
}
