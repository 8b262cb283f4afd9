import { and, eq } from "@runnel/db";

import type { FunctionConfig, MemoEntry } from "../protocol";
import type { JobRow } from "../queue";
import type { RunLifecycle } from "./lifecycle";
import type { ExecutorResources } from "./resources";
import { cronOfJob, insertTimerEvent, scheduleNextCronTick } from "../cron";
import { takeOwnership } from "../queue";
import { apps, functions, waits } from "../schema";

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
    const appId = this.r.registry.get(job.stepId)?.appId;
    await this.r.store.tx(async (tx) => {
      // Serialised with a registration of the function's app, which updates the app's row first: one that
      // drops this cron trigger either commits first (no run, no next tick here) or waits and then removes the
      // next tick; the trigger is read as registered now, not as this process last loaded it.
      if (appId) await tx.select({ id: apps.id }).from(apps).where(eq(apps.id, appId)).for("share");
      if (!(await takeOwnership(tx, job, this.r.settings.workerId))) return;
      const [row] = await tx.select().from(functions).where(eq(functions.id, job.stepId));
      const config = row?.config as FunctionConfig | undefined;
      if (!row || !config?.triggers.some((t) => "cron" in t && t.cron === cron)) return;
      const fn = { id: row.id, appId: row.appId, name: row.name, url: row.url, config };
      const now = new Date();
      const event = await insertTimerEvent(tx, cron, now);
      await this.lifecycle.createRun(tx, fn, event);
      await scheduleNextCronTick(tx, job, cron, now, this.r.settings.leaseMs);
    });
    this.r.wake.wake();
  }
}
