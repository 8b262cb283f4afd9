import { and, eq, isNull } from "@runnel/db";
import { deployments, flows, triggers } from "@runnel/db/schema";

import type { ServiceCtx } from "./shared";
import { notFound } from "./shared";

/**
 * Soft delete: the flow disappears from every procedure, its versions and runs stay for history, its deployment
 * is removed (freeing the endpoint slug) and its triggers are disabled.
 */
export function deleteFlow(ctx: ServiceCtx, id: string) {
  return ctx.db.transaction(async (tx) => {
    const now = new Date();
    const [flow] = await tx
      .update(flows)
      .set({ deletedAt: now, updatedAt: now })
      .where(and(eq(flows.id, id), eq(flows.orgId, ctx.org.id), isNull(flows.deletedAt)))
      .returning({ id: flows.id, name: flows.name, slug: flows.slug });
    if (!flow) throw notFound(id);
    await tx
      .delete(deployments)
      .where(and(eq(deployments.orgId, ctx.org.id), eq(deployments.flowId, flow.id)));
    await tx
      .update(triggers)
      .set({ enabled: false, nextRunAt: null, updatedAt: now })
      .where(and(eq(triggers.orgId, ctx.org.id), eq(triggers.flowId, flow.id)));
    await ctx.audit(tx, {
      action: "flow.deleted",
      targetType: "flow",
      targetId: flow.id,
      metadata: { name: flow.name, slug: flow.slug },
    });
    return { id: flow.id };
  });
}
