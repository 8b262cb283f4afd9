import type { TRPCRouterRecord } from "@trpc/server";
import { randomBytes } from "node:crypto";
import { z } from "zod";

import { and, asc, eq } from "@runnel/db";
import { encryptCredential } from "@runnel/db/crypto";
import { triggers } from "@runnel/db/schema";

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

  createSchedule: orgProcedure("editor")
    .input(CreateScheduleInput)
    .mutation(({ ctx, input }) => createSchedule(serviceCtx(ctx), input)),
  updateSchedule: orgProcedure("editor")
    .input(UpdateScheduleInput)
    .mutation(({ ctx, input }) => updateSchedule(serviceCtx(ctx), input)),
} satisfies TRPCRouterRecord;
