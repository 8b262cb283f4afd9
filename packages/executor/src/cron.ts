import { and, eq, inArray } from "@runnel/db";

import type { FunctionConfig, StoredEvent } from "./protocol";
import type { JobRow } from "./queue";
import type { Tx } from "./store";
import { ulid } from "./ids";
import { internalEvents } from "./internal-events";
import { insertJob } from "./queue";
import { nextCronTime } from "./registry";
import { events, jobs } from "./schema";

/** Keeps one pending cron job per (function, cron expression) of the app; drops schedules that went away. */
export async function syncCronJobs(
  tx: Tx,
  previousFnIds: string[],
  configs: FunctionConfig[],
  now: Date,
  leaseMs: number,
): Promise<void> {
  const wanted = new Map<string, { fnId: string; cron: string; due: Date }>();
  for (const config of configs) {
    for (const trigger of config.triggers) {
      if (!("cron" in trigger)) continue;
      const due = nextCronTime(trigger.cron, now);
      if (due)
        wanted.set(`cron:${config.id}:${trigger.cron}`, {
          fnId: config.id,
          cron: trigger.cron,
          due,
        });
    }
  }
  const appFnIds = [...new Set([...previousFnIds, ...configs.map((c) => c.id)])];
  const existing =
    appFnIds.length === 0
      ? []
      : await tx
          .select({ id: jobs.id, key: jobs.key })
          .from(jobs)
          .where(and(eq(jobs.kind, "cron"), inArray(jobs.stepId, appFnIds)));
  const stale = existing.filter((job) => !wanted.has(job.key)).map((job) => job.id);
  if (stale.length > 0) await tx.delete(jobs).where(inArray(jobs.id, stale));
  for (const [key, { fnId, cron, due }] of wanted) {
    if (existing.some((job) => job.key === key)) continue;
    await insertJob(
      tx,
      { key, kind: "cron", runId: null, stepId: fnId, dueAt: due, payload: { cron } },
      leaseMs,
    );
  }
}

/** The cron expression a cron job fires for. */
export function cronOfJob(job: JobRow): string {
  return (job.payload as { cron?: string } | null)?.cron ?? "";
}

/** Stores the inngest/scheduled.timer event of one cron tick. */
export async function insertTimerEvent(tx: Tx, cron: string, now: Date): Promise<StoredEvent> {
  const event: StoredEvent = {
    id: ulid(),
    name: internalEvents.timer,
    data: { cron },
    ts: now.getTime(),
  };
  await tx.insert(events).values({
    id: event.id,
    name: event.name,
    data: event.data,
    ts: event.ts,
    receivedAt: now,
  });
  return event;
}

/** Schedules the tick after `job` (from its due time, or from now when it ran late), if the cron has one. */
export async function scheduleNextCronTick(
  tx: Tx,
  job: JobRow,
  cron: string,
  now: Date,
  leaseMs: number,
): Promise<void> {
  const next = nextCronTime(cron, new Date(Math.max(now.getTime(), job.dueAt.getTime())));
  if (next)
    await insertJob(
      tx,
      {
        key: job.key,
        kind: "cron",
        runId: null,
        stepId: job.stepId,
        dueAt: next,
        payload: { cron },
      },
      leaseMs,
    );
}
