import type { TRPCRouterRecord } from "@trpc/server";
import { TRPCError } from "@trpc/server";
import { z } from "zod";

import type { Database } from "@runnel/db";
import type { Approval } from "@runnel/engine";
import { hasRole } from "@runnel/auth";
import { and, desc, eq, ne } from "@runnel/db";
import { approvals, flows, runs, users } from "@runnel/db/schema";
import { decideRunApproval, getApproval } from "@runnel/engine";
import { JsonObjectData } from "@runnel/nodes";

import type { Actor } from "../trpc";
import { actorFields, orgProcedure } from "../trpc";
import { mapEngineErrors, requireEngine } from "./runs.handler";

/** Assignees name user ids or e-mail addresses: the acting user's id and e-mail (lower case), if any. */
async function identitiesOf(db: Database, actor: Actor): Promise<Set<string>> {
  const userId = actorFields(actor).actorUserId;
  if (!userId || actor.kind !== "user") return new Set();
  const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, userId));
  return new Set([userId, ...(user?.email ? [user.email.toLowerCase()] : [])]);
}

function isAssignee(approval: Pick<Approval, "assignees">, identities: Set<string>): boolean {
  return approval.assignees.some((assignee) => identities.has(assignee.toLowerCase()));
}

export const DecideApprovalInput = z.strictObject({
  id: z.string().min(1, "Give the approval id").max(100),
  decision: z.enum(["approve", "reject"]),
  comment: z.string().max(5000, "Comment must be at most 5000 characters").optional(),
  /** Answers to the approval's form (checked against its form schema when approving). */
  formData: JsonObjectData.optional(),
});

/**
 * Human-in-the-loop requests of the active org's runs. Every member sees the pending ones (marked when assigned to
 * them); editors and above decide any, and an assignee decides theirs whatever their role.
 */
export const approvalsRouter = {
  /**
   * Pending approvals, newest first; `assignedToMe` when the user is one of its assignees. `data` is what the node
   * sent for review (null on rows opened before it was stored).
   */
  pending: orgProcedure("viewer")
    .input(z.strictObject({ onlyMine: z.boolean().default(false) }).default({ onlyMine: false }))
    .query(async ({ ctx, input }) => {
      const identities = await identitiesOf(ctx.db, ctx.actor);
      const rows = await ctx.db
        .select({
          id: approvals.id,
          runId: approvals.runId,
          nodeId: approvals.nodeId,
          assignees: approvals.assignees,
          message: approvals.message,
          formSchema: approvals.formSchema,
          data: approvals.data,
          expiresAt: approvals.expiresAt,
          createdAt: approvals.createdAt,
          flowId: runs.flowId,
          flowName: flows.name,
        })
        .from(approvals)
        .innerJoin(runs, and(eq(runs.id, approvals.runId), eq(runs.orgId, approvals.orgId)))
        .innerJoin(flows, eq(flows.id, runs.flowId))
        .where(and(eq(approvals.orgId, ctx.org.id), eq(approvals.status, "pending")))
        .orderBy(desc(approvals.createdAt), desc(approvals.id))
        .limit(500);
      const marked = rows.map((row) => ({ ...row, assignedToMe: isAssignee(row, identities) }));
      return input.onlyMine ? marked.filter((row) => row.assignedToMe) : marked;
    }),

  /** Decided and expired approvals, newest decision first, with who decided and what they answered. */
  decided: orgProcedure("viewer")
    .input(
      z
        .strictObject({ limit: z.number().int().min(1).max(200).default(50) })
        .default({ limit: 50 }),
    )
    .query(({ ctx, input }) =>
      ctx.db
        .select({
          id: approvals.id,
          runId: approvals.runId,
          nodeId: approvals.nodeId,
          message: approvals.message,
          status: approvals.status,
          comment: approvals.comment,
          formData: approvals.formData,
          data: approvals.data,
          decidedAt: approvals.decidedAt,
          decidedByName: users.name,
          decidedByEmail: users.email,
          createdAt: approvals.createdAt,
          flowId: runs.flowId,
          flowName: flows.name,
        })
        .from(approvals)
        .innerJoin(runs, and(eq(runs.id, approvals.runId), eq(runs.orgId, approvals.orgId)))
        .innerJoin(flows, eq(flows.id, runs.flowId))
        .leftJoin(users, eq(users.id, approvals.decidedBy))
        .where(and(eq(approvals.orgId, ctx.org.id), ne(approvals.status, "pending")))
        .orderBy(desc(approvals.decidedAt), desc(approvals.id))
        .limit(input.limit),
    ),

  /** Approves or rejects once; the waiting run resumes on the matching port. */
  decide: orgProcedure("viewer")
    .input(DecideApprovalInput)
    .mutation(async ({ ctx, input }) => {
      const engine = requireEngine(ctx.engine);
      const approval = await getApproval(ctx.db, ctx.org.id, input.id);
      if (!approval) {
        throw new TRPCError({
          code: "NOT_FOUND",
          message: `Approval ${input.id} was not found in this org`,
        });
      }
      if (
        !hasRole(ctx.org.role, "editor") &&
        !isAssignee(approval, await identitiesOf(ctx.db, ctx.actor))
      ) {
        throw new TRPCError({
          code: "FORBIDDEN",
          message: `Deciding approval ${input.id} needs the editor role or being one of its assignees; you are ${ctx.org.role}`,
        });
      }
      const decision = input.decision === "approve" ? "approved" : "rejected";
      const decided = await mapEngineErrors(() =>
        decideRunApproval({
          db: ctx.db,
          sendEvent: engine.sendEvent,
          bus: engine.bus,
          orgId: ctx.org.id,
          approvalId: input.id,
          decision,
          decidedBy: actorFields(ctx.actor).actorUserId,
          comment: input.comment ?? null,
          formData: input.formData ?? null,
        }),
      );
      await ctx.audit(ctx.db, {
        action: "approval.decided",
        targetType: "approval",
        targetId: decided.id,
        metadata: { runId: decided.runId, nodeId: decided.nodeId, decision },
      });
      return {
        id: decided.id,
        runId: decided.runId,
        status: decided.status,
        decidedAt: decided.decidedAt,
      };
    }),
} satisfies TRPCRouterRecord;
