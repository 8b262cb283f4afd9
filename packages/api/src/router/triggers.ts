import type { TRPCRouterRecord } from "@trpc/server";
import { randomBytes } from "node:crypto";
import { z } from "zod";

import { and, asc, eq, isNull, sql } from "@runnel/db";
import { encryptCredential } from "@runnel/db/crypto";
import { flows, flowVersions, triggers } from "@runnel/db/schema";

import { orgProcedure } from "../trpc";
import { FlowId, loadFlow, serviceCtx } from "./flows/shared";
import {
  createSchedule,
  CreateScheduleInput,
  loadTrigger,
  scheduleOut,
  TriggerId,
  updateSchedule,
  UpdateScheduleInput,
} from "./triggers-schedules";

type TriggerRow = typeof triggers.$inferSelect;

/** A flow's trigger rows as the API shows them: webhook URLs (never secrets) and schedules. */
function groupTriggers(rows: TriggerRow[], appUrl: string) {
  return {
    webhooks: rows
      .filter((row) => row.kind === "webhook" && row.hookId !== null)
      .map((row) => ({
        id: row.id,
        nodeId: row.nodeId,
        hookId: row.hookId ?? "",
        url: `${appUrl}/api/hooks/${row.hookId ?? ""}`,
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
      return groupTriggers(rows, ctx.appUrl);
    }),

  /**
   * Every flow of the org that has webhooks or schedules, by flow name, with the number of its latest published
   * version: one query for the triggers page instead of one `list` per flow.
   */
  listAll: orgProcedure("viewer").query(async ({ ctx }) => {
    const rows = await ctx.db
      .select({
        trigger: triggers,
        flowName: flows.name,
        latestVersion: sql<
          number | null
        >`(select max(v.number) from ${flowVersions} v where v.flow_id = ${flows.id} and v.kind = 'published')`,
      })
      .from(triggers)
      .innerJoin(flows, and(eq(flows.id, triggers.flowId), eq(flows.orgId, triggers.orgId)))
      .where(and(eq(triggers.orgId, ctx.org.id), isNull(flows.deletedAt)))
      .orderBy(asc(flows.name), asc(flows.id), asc(triggers.createdAt), asc(triggers.id));
    const byFlow = new Map<
      string,
      { flow: { id: string; name: string; latestVersion: number | null }; rows: TriggerRow[] }
    >();
    for (const row of rows) {
      const entry = byFlow.get(row.trigger.flowId) ?? {
        flow: {
          id: row.trigger.flowId,
          name: row.flowName,
          latestVersion: row.latestVersion === null ? null : Number(row.latestVersion),
        },
        rows: [],
      };
      entry.rows.push(row.trigger);
      byFlow.set(row.trigger.flowId, entry);
    }
    return [...byFlow.values()].map(({ flow, rows: flowRows }) => ({
      flow,
      ...groupTriggers(flowRows, ctx.appUrl),
    }));
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

  createSchedule: orgProcedure("editor")
    .input(CreateScheduleInput)
    .mutation(({ ctx, input }) => createSchedule(serviceCtx(ctx), input)),
  updateSchedule: orgProcedure("editor")
    .input(UpdateScheduleInput)
    .mutation(({ ctx, input }) => updateSchedule(serviceCtx(ctx), input)),
} satisfies TRPCRouterRecord;
