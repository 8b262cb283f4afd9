import { TRPCError } from "@trpc/server";
import { z } from "zod";

import type { DbOrTx } from "@runnel/auth";
import { and, desc, eq, isNull } from "@runnel/db";
import { flows, flowVersions, triggers } from "@runnel/db/schema";
import { FlowDefinition } from "@runnel/engine";

import type { ServiceCtx } from "./flows/shared";
import { FlowId, loadFlow } from "./flows/shared";
import { nextRunAt } from "./triggers-sync";

export const TriggerId = z.string().min(1, "Give the trigger id").max(100);
const Cron = z.string().trim().min(1, "Give a cron expression").max(200);
const TimeZone = z.string().trim().min(1).max(100);

const scheduleColumns = {
  id: triggers.id,
  flowId: triggers.flowId,
  nodeId: triggers.nodeId,
  cron: triggers.cron,
  timezone: triggers.timezone,
  nextRunAt: triggers.nextRunAt,
  lastRunAt: triggers.lastRunAt,
  enabled: triggers.enabled,
  createdAt: triggers.createdAt,
  updatedAt: triggers.updatedAt,
};

export function scheduleOut(row: {
  id: string;
  flowId: string;
  nodeId: string | null;
  cron: string | null;
  timezone: string | null;
  nextRunAt: Date | null;
  lastRunAt: Date | null;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}) {
  return { ...row, cron: row.cron ?? "", timezone: row.timezone ?? "UTC" };
}

/** The org's trigger row of a live flow, or NOT_FOUND. */
export async function loadTrigger(
  db: DbOrTx,
  orgId: string,
  id: string,
  kind: "webhook" | "schedule",
) {
  const [row] = await db
    .select({ trigger: triggers })
    .from(triggers)
    .innerJoin(flows, eq(flows.id, triggers.flowId))
    .where(
      and(
        eq(triggers.id, id),
        eq(triggers.orgId, orgId),
        eq(triggers.kind, kind),
        isNull(flows.deletedAt),
      ),
    )
    .limit(1);
  if (!row)
    throw new TRPCError({
      code: "NOT_FOUND",
      message: `${kind === "webhook" ? "Webhook" : "Schedule"} trigger ${id} not found`,
    });
  return row.trigger;
}

export const CreateScheduleInput = z.strictObject({
  flowId: FlowId,
  cron: Cron,
  timezone: TimeZone.default("UTC"),
  enabled: z.boolean().default(true),
});
export type CreateScheduleInput = z.output<typeof CreateScheduleInput>;

export const UpdateScheduleInput = z.strictObject({
  id: TriggerId,
  cron: Cron.optional(),
  timezone: TimeZone.optional(),
  enabled: z.boolean().optional(),
});
export type UpdateScheduleInput = z.output<typeof UpdateScheduleInput>;

/**
 * An extra schedule for a flow whose latest published version has a Schedule trigger (runs start at that
 * trigger). Cron and time zone are checked with croner; next_run_at is computed.
 */
export function createSchedule(ctx: ServiceCtx, input: CreateScheduleInput) {
  return ctx.db.transaction(async (tx) => {
    const flow = await loadFlow(tx, ctx.org.id, input.flowId);
    const [latest] = await tx
      .select({ definition: flowVersions.definition, number: flowVersions.number })
      .from(flowVersions)
      .where(
        and(
          eq(flowVersions.orgId, ctx.org.id),
          eq(flowVersions.flowId, flow.id),
          eq(flowVersions.kind, "published"),
        ),
      )
      .orderBy(desc(flowVersions.number))
      .limit(1);
    const hasSchedule =
      latest !== undefined &&
      FlowDefinition.parse(latest.definition).nodes.some((n) => n.type === "schedule_trigger");
    if (!hasSchedule) {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: `Flow "${flow.name}" has no published version with a Schedule trigger; add one and publish first`,
      });
    }
    const next = nextRunAt(input.cron, input.timezone);
    const [row] = await tx
      .insert(triggers)
      .values({
        orgId: ctx.org.id,
        flowId: flow.id,
        kind: "schedule",
        cron: input.cron,
        timezone: input.timezone,
        enabled: input.enabled,
        nextRunAt: input.enabled ? next : null,
      })
      .returning(scheduleColumns);
    if (!row) throw new Error(`Inserting a schedule of flow ${flow.id} returned no row`);
    await ctx.audit(tx, {
      action: "trigger.schedule_created",
      targetType: "trigger",
      targetId: row.id,
      metadata: { flowId: flow.id, cron: input.cron, timezone: input.timezone },
    });
    return scheduleOut(row);
  });
}

/**
 * Changes a schedule's cron, time zone or enabled flag and recomputes next_run_at. A schedule owned by a Schedule
 * trigger node takes the node's cron and time zone again when the next version is published.
 */
export function updateSchedule(ctx: ServiceCtx, input: UpdateScheduleInput) {
  return ctx.db.transaction(async (tx) => {
    const trigger = await loadTrigger(tx, ctx.org.id, input.id, "schedule");
    const cron = input.cron ?? trigger.cron ?? "";
    const timezone = input.timezone ?? trigger.timezone ?? "UTC";
    const enabled = input.enabled ?? trigger.enabled;
    const next = nextRunAt(cron, timezone);
    const [row] = await tx
      .update(triggers)
      .set({ cron, timezone, enabled, nextRunAt: enabled ? next : null, updatedAt: new Date() })
      .where(and(eq(triggers.id, trigger.id), eq(triggers.orgId, ctx.org.id)))
      .returning(scheduleColumns);
    if (!row)
      throw new TRPCError({
        code: "NOT_FOUND",
        message: `Schedule trigger ${input.id} not found`,
      });
    await ctx.audit(tx, {
      action: "trigger.schedule_updated",
      targetType: "trigger",
      targetId: row.id,
      metadata: { flowId: row.flowId, cron, timezone, enabled },
    });
    return scheduleOut(row);
  });
}
