import { TRPCError } from "@trpc/server";
import { ZodRealError } from "zod";

import { and, desc, eq, isNull } from "@runnel/db";
import { flows, flowVersions } from "@runnel/db/schema";
import { FlowDefinition } from "@runnel/engine";

import type { PublishFlowInput, VersionInput } from "./publish.schema";
import type { FlowProblem, ServiceCtx } from "./shared";
import { syncTriggers } from "../triggers-sync";
import { compileForOrg, describeProblems, loadFlow, notFound, problemsOf } from "./shared";

const versionSummary = {
  id: flowVersions.id,
  number: flowVersions.number,
  message: flowVersions.message,
  authorId: flowVersions.authorId,
  createdAt: flowVersions.createdAt,
};

/** BAD_REQUEST listing every problem; field errors keyed by the problem's path in the draft. */
function refused(name: string, problems: FlowProblem[]): TRPCError {
  return new TRPCError({
    code: "BAD_REQUEST",
    message: `Flow "${name}" does not compile (${problems.length} problem${problems.length === 1 ? "" : "s"}); nothing was published:\n${describeProblems(problems)}`,
    cause: new ZodRealError(
      problems.map((p) => ({
        code: "custom" as const,
        path: p.path,
        message: p.nodeId === null ? p.message : `${p.nodeId}: ${p.message}`,
        input: undefined,
      })),
    ),
  });
}

/**
 * Compiles the draft and, when it compiles, stores it as the next immutable version and brings the flow's
 * webhook and schedule triggers in line with it. Concurrent publishes of one flow are serialised by a row lock.
 */
export function publishFlow(ctx: ServiceCtx, input: PublishFlowInput) {
  return ctx.db.transaction(async (tx) => {
    const [flow] = await tx
      .select()
      .from(flows)
      .where(and(eq(flows.id, input.id), eq(flows.orgId, ctx.org.id), isNull(flows.deletedAt)))
      .for("update");
    if (!flow) throw notFound(input.id);
    const result = await compileForOrg(tx, ctx.org.id, flow.draft);
    if (!result.ok) throw refused(flow.name, problemsOf(result));
    const definition = FlowDefinition.parse(flow.draft);
    const [previous] = await tx
      .select({ number: flowVersions.number })
      .from(flowVersions)
      .where(and(eq(flowVersions.orgId, ctx.org.id), eq(flowVersions.flowId, flow.id)))
      .orderBy(desc(flowVersions.number))
      .limit(1);
    const [version] = await tx
      .insert(flowVersions)
      .values({
        flowId: flow.id,
        orgId: ctx.org.id,
        number: (previous?.number ?? 0) + 1,
        definition,
        message: input.message,
        authorId: ctx.userId,
      })
      .returning(versionSummary);
    if (!version) throw new Error(`Inserting a version of flow ${flow.id} returned no row`);
    await tx.update(flows).set({ updatedAt: new Date() }).where(eq(flows.id, flow.id));
    await syncTriggers(tx, { orgId: ctx.org.id, flowId: flow.id, definition });
    await ctx.audit(tx, {
      action: "flow.published",
      targetType: "flow",
      targetId: flow.id,
      metadata: { versionId: version.id, number: version.number, message: version.message },
    });
    return version;
  });
}

/** Published versions, newest first (without definitions). */
export async function listVersions(ctx: ServiceCtx, id: string) {
  const flow = await loadFlow(ctx.db, ctx.org.id, id);
  return ctx.db
    .select(versionSummary)
    .from(flowVersions)
    .where(
      and(
        eq(flowVersions.orgId, ctx.org.id),
        eq(flowVersions.flowId, flow.id),
        eq(flowVersions.kind, "published"),
      ),
    )
    .orderBy(desc(flowVersions.number));
}

/** One published version with its definition. */
export async function getVersion(ctx: ServiceCtx, input: VersionInput) {
  const flow = await loadFlow(ctx.db, ctx.org.id, input.id);
  const [row] = await ctx.db
    .select({ ...versionSummary, definition: flowVersions.definition })
    .from(flowVersions)
    .where(
      and(
        eq(flowVersions.orgId, ctx.org.id),
        eq(flowVersions.flowId, flow.id),
        eq(flowVersions.number, input.number),
      ),
    )
    .limit(1);
  if (!row) {
    throw new TRPCError({
      code: "NOT_FOUND",
      message: `Flow ${flow.id} has no version ${input.number}`,
    });
  }
  return { ...row, definition: FlowDefinition.parse(row.definition) };
}
