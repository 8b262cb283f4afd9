import type { Inngest } from "inngest";
import { Cron } from "croner";

import type { Database } from "@runnel/db";
import { and, asc, eq, isNull, lte } from "@runnel/db";
import { flows, triggers } from "@runnel/db/schema";

import type { RunEventPublisher } from "../runs/run-store";
import type { SendEvent } from "./events";
import { FlowVersionUnavailableError, startRun } from "./starter";

/** Due schedule rows read per query; the tick reads batches until none are due. */
const DEFAULT_BATCH_SIZE = 50;

export type ScheduleLog = (
  level: "info" | "warn" | "error",
  message: string,
  fields: Record<string, unknown>,
) => void;

export interface TickSchedulesOptions {
  db: Database;
  sendEvent: SendEvent;
  bus?: RunEventPublisher;
  /** The tick's time: rows with next_run_at <= now are due. */
  now: Date;
  batchSize?: number;
  log?: ScheduleLog;
}

export interface ScheduleOutcome {
  triggerId: string;
  orgId: string;
  flowId: string;
  /** The slot served (the row's next_run_at), ISO 8601. */
  slot: string;
  /** "started": a run exists for the slot (created now or by an earlier tick); "skipped": no run. */
  status: "started" | "skipped";
  runId?: string;
  /** True when this tick created the run (false: a replayed tick found the slot's run). */
  created?: boolean;
  reason?: string;
  /** The row's new next_run_at (null when the cron expression can no longer be read). */
  nextRunAt: string | null;
}

export interface TickResult {
  outcomes: ScheduleOutcome[];
}

function defaultLog(
  level: "info" | "warn" | "error",
  message: string,
  fields: Record<string, unknown>,
) {
  if (level !== "info") console[level](`[scheduler] ${message}`, fields);
}

/** The first time the cron expression fires strictly after `after`, read in the IANA time zone. */
export function nextScheduleSlot(cron: string, timezone: string, after: Date): Date | null {
  return new Cron(cron, { paused: true, timezone }).nextRun(after);
}

/**
 * Starts one run per due schedule trigger (enabled, kind "schedule", next_run_at <= now, flow not deleted), all
 * orgs, oldest slot first, in batches. The run uses the flow's latest published version, trigger kind "schedule",
 * input `{ scheduledAt: <slot> }` and idempotency key `schedule:<triggerId>:<slot ISO>`, so a replayed or
 * duplicated tick never starts a second run for a slot. Then next_run_at moves to the first slot after `now`:
 * slots missed while nothing ticked collapse into this one catch-up run. A flow with no published version, or a
 * row whose cron no longer parses, is logged and skipped without failing the other rows.
 */
export async function tickSchedules(options: TickSchedulesOptions): Promise<TickResult> {
  const { db, now } = options;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const log = options.log ?? defaultLog;
  const outcomes: ScheduleOutcome[] = [];
  for (;;) {
    const due = await db
      .select({
        id: triggers.id,
        orgId: triggers.orgId,
        flowId: triggers.flowId,
        nodeId: triggers.nodeId,
        cron: triggers.cron,
        timezone: triggers.timezone,
        nextRunAt: triggers.nextRunAt,
      })
      .from(triggers)
      .innerJoin(flows, and(eq(flows.id, triggers.flowId), eq(flows.orgId, triggers.orgId)))
      .where(
        and(
          eq(triggers.kind, "schedule"),
          eq(triggers.enabled, true),
          lte(triggers.nextRunAt, now),
          isNull(flows.deletedAt),
        ),
      )
      .orderBy(asc(triggers.nextRunAt), asc(triggers.id))
      .limit(batchSize);
    for (const row of due) {
      if (!row.nextRunAt) continue;
      const slot = row.nextRunAt;
      const slotIso = slot.toISOString();
      const base = { triggerId: row.id, orgId: row.orgId, flowId: row.flowId, slot: slotIso };

      let next: Date | null = null;
      let cronProblem: string | undefined;
      try {
        next = nextScheduleSlot(row.cron ?? "", row.timezone ?? "UTC", now);
        if (next === null) cronProblem = "the cron expression never fires again";
      } catch (error) {
        cronProblem = error instanceof Error ? error.message : String(error);
      }

      let outcome: ScheduleOutcome;
      if (cronProblem !== undefined) {
        log("error", "schedule trigger has an unreadable cron expression; it stops firing", {
          ...base,
          cron: row.cron,
          timezone: row.timezone,
          problem: cronProblem,
        });
        outcome = { ...base, status: "skipped", reason: cronProblem, nextRunAt: null };
      } else {
        try {
          const { run, created } = await startRun({
            db,
            sendEvent: options.sendEvent,
            ...(options.bus ? { bus: options.bus } : {}),
            orgId: row.orgId,
            flowId: row.flowId,
            input: { scheduledAt: slotIso },
            trigger: {
              kind: "schedule",
              ...(row.nodeId ? { nodeId: row.nodeId } : {}),
              info: { triggerId: row.id, slot: slotIso },
            },
            idempotencyKey: `schedule:${row.id}:${slotIso}`,
          });
          outcome = {
            ...base,
            status: "started",
            runId: run.id,
            created,
            nextRunAt: next?.toISOString() ?? null,
          };
        } catch (error) {
          if (!(error instanceof FlowVersionUnavailableError)) throw error;
          log("warn", "schedule trigger skipped: the flow has no published version", base);
          outcome = {
            ...base,
            status: "skipped",
            reason: error.message,
            nextRunAt: next?.toISOString() ?? null,
          };
        }
      }
      // Only the tick that still sees the slot moves the row on, so a concurrent tick cannot skip a newer slot.
      await db
        .update(triggers)
        .set({
          nextRunAt: next,
          ...(outcome.status === "started" ? { lastRunAt: slot } : {}),
          updatedAt: now,
        })
        .where(and(eq(triggers.id, row.id), eq(triggers.nextRunAt, slot)));
      outcomes.push(outcome);
    }
    if (due.length < batchSize) break;
  }
  return { outcomes };
}

export interface SchedulerDeps {
  /** The app's Inngest client (real Inngest, or pointed at the local executor). */
  inngest: Inngest.Any;
  db: Database;
  bus?: RunEventPublisher;
  /** How run start requests are sent. Default: the Inngest client's `send`. */
  sendEvent?: SendEvent;
  /** How often the function ticks (an Inngest cron, UTC). Default every minute. */
  cron?: string;
  /** Inngest function id. Default "schedule-tick". */
  functionId?: string;
  log?: ScheduleLog;
}

/**
 * The Inngest function that ticks the schedules: on its cron it runs `tickSchedules` in one step, sending run
 * events with the app's Inngest client. Serve it next to runFlow.
 */
export function createSchedulerFunction(deps: SchedulerDeps) {
  const { inngest, db } = deps;
  const sendEvent: SendEvent = deps.sendEvent ?? ((event) => inngest.send(event));
  return inngest.createFunction(
    {
      id: deps.functionId ?? "schedule-tick",
      name: "Start scheduled runs",
      retries: 3,
      triggers: [{ cron: deps.cron ?? "* * * * *" }],
      concurrency: { limit: 1 },
    },
    async ({ step }) =>
      step.run("start-due-runs", async () => {
        const { outcomes } = await tickSchedules({
          db,
          sendEvent,
          ...(deps.bus ? { bus: deps.bus } : {}),
          ...(deps.log ? { log: deps.log } : {}),
          now: new Date(),
        });
        return {
          started: outcomes.filter((o) => o.status === "started" && o.created === true).length,
          skipped: outcomes.filter((o) => o.status === "skipped").length,
          outcomes,
        };
      }),
  );
}
