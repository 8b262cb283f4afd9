import { and, eq } from "@runnel/db";

import type { JobRow } from "../queue";
import type { CallSystem } from "./call";
import type { Registration } from "./registration";
import type { ExecutorResources } from "./resources";
import type { TimerJobs } from "./timers";
import type { NextJob } from "./types";
import { jobs } from "../schema";
import { claimJobs } from "./claim";
import { LeaseHeartbeat } from "./leases";

/**
 * The worker loop: claims due jobs up to `maxInFlight`, handles each (a call continues with the run's next
 * call while this worker may), and sleeps until woken or `pollMs` passed.
 */
export class Worker {
  private loop?: Promise<void>;
  private inFlight = 0;
  private readonly active = new Set<Promise<void>>();
  /** Jobs this worker is working on: never claimed again by it, even when a slow heartbeat let the lease lapse. */
  private readonly working = new Set<number>();
  private readonly heartbeat: LeaseHeartbeat;

  constructor(
    private readonly r: ExecutorResources,
    private readonly systems: { registration: Registration; call: CallSystem; timers: TimerJobs },
  ) {
    this.heartbeat = new LeaseHeartbeat(r, this.working);
  }

  start(): void {
    if (this.r.worker.running) return;
    this.r.worker.running = true;
    this.heartbeat.start();
    this.loop = this.workLoop();
  }

  /**
   * Stops claiming work, waits for requests in flight to finish, and releases the leases still held (a run's
   * next call leased to this worker), so that another worker or the next start continues at once.
   */
  async stop(): Promise<void> {
    this.r.worker.running = false;
    const loop = this.loop;
    if (!loop) return;
    this.loop = undefined;
    this.r.wake.wake();
    await loop;
    await Promise.allSettled([...this.active]);
    this.heartbeat.stop();
    await this.r.store.db
      .update(jobs)
      .set({ leaseOwner: null, leaseExpires: null })
      .where(eq(jobs.leaseOwner, this.r.settings.workerId))
      .catch((error: unknown) =>
        this.r.log("warn", "releasing leases on stop failed", { error: (error as Error).message }),
      );
  }

  private async workLoop(): Promise<void> {
    const { settings, wake } = this.r;
    let reloadedAt = Date.now();
    while (this.r.worker.running) {
      if (Date.now() - reloadedAt > 5000) {
        // Another executor process on the same database may have registered apps.
        reloadedAt = Date.now();
        await this.systems.registration
          .reloadFunctions()
          .catch((error: unknown) =>
            this.r.log("warn", "reloading functions failed", { error: (error as Error).message }),
          );
      }
      let claimed: JobRow[] = [];
      wake.reset();
      const free = settings.maxInFlight - this.inFlight;
      if (free > 0) {
        try {
          claimed = await claimJobs(this.r, free, this.working);
        } catch (error) {
          this.r.log("error", "claiming jobs failed", { error: (error as Error).message });
        }
      }
      for (const job of claimed) this.spawn(job);
      if ((claimed.length === 0 && !wake.pending) || this.inFlight >= settings.maxInFlight) {
        await wake.sleep(settings.pollMs);
      }
    }
  }

  private spawn(first: JobRow): void {
    this.inFlight++;
    const task = (async () => {
      let next: NextJob | undefined = { job: first };
      while (next) {
        const { job }: NextJob = next;
        this.working.add(job.id);
        try {
          next = await this.handle(job, next);
        } catch (error) {
          this.r.log("error", `job ${job.kind} ${job.id} failed`, {
            error: (error as Error).message,
            runId: job.runId,
          });
          await this.releaseAfterError(job).catch(() => undefined);
          next = undefined;
        } finally {
          this.working.delete(job.id);
        }
        if (!this.r.worker.running) break;
      }
    })().finally(() => {
      this.inFlight--;
      this.active.delete(task);
      this.r.wake.wake();
    });
    this.active.add(task);
  }

  /** Handles one job; may return the next job of the same run, already leased to this worker. */
  private async handle(job: JobRow, next: NextJob): Promise<NextJob | undefined> {
    switch (job.kind) {
      case "call":
        return this.systems.call.handleCall(job, next.known);
      case "sleep":
      case "wait-timeout":
      case "invoke-timeout":
        await this.systems.timers.fire(job);
        return undefined;
      case "cron":
        await this.systems.timers.fireCron(job);
        return undefined;
    }
  }

  /** An unexpected failure while handling a job (e.g. the database went away): let it be retried later. */
  private async releaseAfterError(job: JobRow): Promise<void> {
    const { settings } = this.r;
    await this.r.store.db
      .update(jobs)
      .set({
        leaseOwner: null,
        leaseExpires: null,
        dueAt: new Date(Date.now() + Math.max(1000, settings.pollMs)),
      })
      .where(and(eq(jobs.id, job.id), eq(jobs.leaseOwner, settings.workerId)));
  }
}
