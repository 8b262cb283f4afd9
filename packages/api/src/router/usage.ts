import type { TRPCRouterRecord } from "@trpc/server";
import { TRPCError } from "@trpc/server";

import { and, eq } from "@runnel/db";
import { flows } from "@runnel/db/schema";

import type { UsageInput } from "./usage.schema";
import { orgProcedure } from "../trpc";
import { dailyUsage } from "./usage.handler";
import { UsageInput as UsageInputSchema } from "./usage.schema";

/** The flow of `input.flowId` in the org (deleted flows too: their runs still count), or NOT_FOUND. */
async function flowOf(
  ctx: { db: Parameters<typeof dailyUsage>[0]; org: { id: string } },
  input: UsageInput,
) {
  if (input.flowId === undefined) return undefined;
  const [flow] = await ctx.db
    .select({ id: flows.id, name: flows.name })
    .from(flows)
    .where(and(eq(flows.id, input.flowId), eq(flows.orgId, ctx.org.id)));
  if (!flow) throw new TRPCError({ code: "NOT_FOUND", message: `Flow ${input.flowId} not found` });
  return flow;
}

/** Runs and tokens of the active org over a window of UTC days (viewers and up). */
export const usageRouter = {
  /** Per day (every day of the window, zeros included) and per flow: runs by status and tokens. */
  daily: orgProcedure("viewer")
    .input(UsageInputSchema)
    .query(async ({ ctx, input }) => {
      const {
        days,
        flows: flowList,
        from,
        to,
        flowId,
      } = await dailyUsage(ctx.db, ctx.org.id, input, await flowOf(ctx, input));
      return { from, to, flowId, flows: flowList, days };
    }),

  /** The window's totals and per-flow totals (most tokens first). */
  summary: orgProcedure("viewer")
    .input(UsageInputSchema)
    .query(async ({ ctx, input }) => {
      const usage = await dailyUsage(ctx.db, ctx.org.id, input, await flowOf(ctx, input));
      return {
        from: usage.from,
        to: usage.to,
        flowId: usage.flowId,
        ...usage.totals,
        byFlow: usage.byFlow.sort(
          (a, b) => b.tokens.total - a.tokens.total || b.runs.total - a.runs.total,
        ),
      };
    }),
} satisfies TRPCRouterRecord;
