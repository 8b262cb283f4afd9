import { isNotNull } from "drizzle-orm";

import { sql } from "@runnel/db";

import type { ExecutorResources } from "./resources";
import { jobs } from "../schema";

/**
 * Leases left by a dead predecessor, released at start so that its work resumes at once instead of when the
 * leases expire (docs/executor.md, "Durability"). An exclusive executor (its host proved it is the only process
 * on the database, e.g. by holding the PGlite data-folder lock) releases every lease; an executor given a
 * stable `workerId` releases the leases its earlier processes held under that id (one process at a time bears
 * it). Each process leases under `<workerId>:<random>`, so a request still running for a dead process is stale
 * to the new one (its checkpoints get 409).
 */
export async function reclaimLeases(r: ExecutorResources): Promise<number> {
  const { settings } = r;
  if (!settings.exclusive && settings.workerName === undefined) return 0;
  const released = await r.store.db
    .update(jobs)
    .set({ leaseOwner: null, leaseExpires: null })
    .where(
      settings.exclusive
        ? isNotNull(jobs.leaseOwner)
        : sql`starts_with(${jobs.leaseOwner}, ${`${settings.workerName}:`})`,
    )
    .returning({ id: jobs.id });
  if (released.length > 0)
    r.log("info", `reclaimed ${released.length} leases of a previous executor process`, {
      exclusive: settings.exclusive,
    });
  return released.length;
}

/**
 * Renews the leases of the jobs this worker is working on, every third of `leaseMs` (at least every 50 ms), in
 * one statement per tick; a failed renewal is logged and retried at the next tick. Another worker takes a job
 * over only when its lease expired, i.e. when this process stopped renewing it.
 */
export class LeaseHeartbeat {
  private timer?: ReturnType<typeof setInterval>;
  private beating = false;

  constructor(
    private readonly r: ExecutorResources,
    private readonly working: ReadonlySet<number>,
  ) {}

  start(): void {
    if (this.timer) return;
    const every = Math.max(50, Math.floor(this.r.settings.leaseMs / 3));
    this.timer = setInterval(() => void this.beat(), every);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async beat(): Promise<void> {
    if (this.beating || this.working.size === 0) return;
    this.beating = true;
    const { settings } = this.r;
    try {
      // SKIP LOCKED: a job another statement holds (its run finishing, a checkpoint) is renewed next tick; never
      // waiting here means this multi-row update cannot deadlock with them.
      const ids = sql.join(
        [...this.working].map((id) => sql`${id}`),
        sql`, `,
      );
      await this.r.store.db.execute(sql`
        update runnel_executor.jobs set lease_expires = ${new Date(Date.now() + settings.leaseMs).toISOString()}::timestamptz
        where id in (
          select id from runnel_executor.jobs where id in (${ids}) and lease_owner = ${settings.workerId}
          order by id for update skip locked
        )`);
    } catch (error) {
      this.r.log("warn", "lease heartbeat failed", { error: (error as Error).message });
    } finally {
      this.beating = false;
    }
  }
}
