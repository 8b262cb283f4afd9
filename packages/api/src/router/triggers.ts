import type { TRPCRouterRecord } from "@trpc/server";
import { randomBytes } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { z } from "zod";

import { and, asc, desc, eq, isNull } from "@runnel/db";
import { encryptCredential } from "@runnel/db/crypto";
import { flows, flowVersions, triggers } from "@runnel/db/schema";
import { FlowDefinition } from "@runnel/engine";

import { orgProcedure } from "../trpc";
import { FlowId, loadFlow } from "./flows/shared";
import { nextRunAt } from "./triggers-sync";

const TriggerId = z.string().min(1, "Give the trigger id").max(100);
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

function scheduleOut(row: {
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
async function loadTrigger(
  db: Parameters<typeof loadFlow>[0],
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

/**
 * Webhook URLs and schedules of flows. Webhook rows appear when a version with a Webhook trigger is published;
 * schedule rows when a version with a Schedule trigger is published, or through createSchedule.
 */
export const triggersRouter = {
  /** The flow's webhook URLs (never their secrets) and schedules. */
  list: orgProcedure("viewer")
    .input(z.strictObject({ flowId: FlowId }))
    .query(async ({ ctx, input }) => {
      const flow = await loadFlow(ctx.db, ctx.org.id, input.flowId);
      const rows = await ctx.db
        .select()
        .from(triggers)
        .where(and(eq(triggers.orgId, ctx.org.id), eq(triggers.flowId, flow.id)))
        .orderBy(asc(triggers.createdAt), asc(triggers.id));
      return {
        webhooks: rows
          .filter((row) => row.kind === "webhook" && row.hookId !== null)
          .map((row) => ({
            id: row.id,
            nodeId: row.nodeId,
            hookId: row.hookId ?? "",
            url: `${ctx.appUrl}/api/hooks/${row.hookId ?? ""}`,
            hasSecret: row.secret !== null,
            enabled: row.enabled,
            createdAt: row.createdAt,
            updatedAt: row.updatedAt,
          })),
        schedules: rows
          .filter((row) => row.kind === "schedule")
          .map((row) =>
            scheduleOut({
              id: row.id,
              flowId: row.flowId,
              nodeId: row.nodeId,
              cron: row.cron,
              timezone: row.timezone,
              nextRunAt: row.nextRunAt,
              lastRunAt: row.lastRunAt,
              enabled: row.enabled,
              createdAt: row.createdAt,
              updatedAt: row.updatedAt,
            }),
          ),
      };
    }),

  /**
   * Sets a new random HMAC signing secret on a webhook and returns it: the only time it is shown. It is stored
   * encrypted and bound to the org and the trigger; the previous secret stops working at once.
   */
  rotateSecret: orgProcedure("editor")
    .input(z.strictObject({ id: TriggerId }))
    .mutation(({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
        const trigger = await loadTrigger(tx, ctx.org.id, input.id, "webhook");
        const secret = `whsec_${randomBytes(32).toString("base64url")}`;
        const sealed = encryptCredential({
          masterKey: ctx.encryptionKey,
          orgId: ctx.org.id,
          credentialId: trigger.id,
          data: { secret },
        });
        await tx
          .update(triggers)
          .set({ secret: sealed, updatedAt: new Date() })
          .where(and(eq(triggers.id, trigger.id), eq(triggers.orgId, ctx.org.id)));
        await ctx.audit(tx, {
          action: "trigger.secret_rotated",
          targetType: "trigger",
          targetId: trigger.id,
          metadata: { flowId: trigger.flowId, hookId: trigger.hookId },
        });
        return { id: trigger.id, secret };
      }),
    ),

  /**
   * An extra schedule for a flow whose latest published version has a Schedule trigger (runs start at that
   * trigger). Cron and time zone are checked with croner; next_run_at is computed.
   */
  createSchedule: orgProcedure("editor")
    .input(
      z.strictObject({
        flowId: FlowId,
        cron: Cron,
        timezone: TimeZone.default("UTC"),
        enabled: z.boolean().default(true),
      }),
    )
    .mutation(({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
        const flow = await loadFlow(tx, ctx.org.id, input.flowId);
        const [latest] = await tx
          .select({ definition: flowVersions.definition, number: flowVersions.number })
          .from(flowVersions)
          .where(and(eq(flowVersions.orgId, ctx.org.id), eq(flowVersions.flowId, flow.id)))
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
      }),
    ),

  /**
   * Changes a schedule's cron, time zone or enabled flag and recomputes next_run_at. A schedule owned by a Schedule
   * trigger node takes the node's cron and time zone again when the next version is published.
   */
  updateSchedule: orgProcedure("editor")
    .input(
      z.strictObject({
        id: TriggerId,
        cron: Cron.optional(),
        timezone: TimeZone.optional(),
        enabled: z.boolean().optional(),
      }),
    )
    .mutation(({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
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
      }),
    ),
} satisfies TRPCRouterRecord;
