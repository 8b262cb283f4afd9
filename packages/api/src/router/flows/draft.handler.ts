import { and, eq, isNull } from "@runnel/db";
import { flows } from "@runnel/db/schema";

import type { SaveDraftInput, ValidateFlowInput } from "./draft.schema";
import type { ServiceCtx } from "./shared";
import { compileForOrg, flowSummary, loadFlow, notFound, problemsOf } from "./shared";

/**
 * Saves the draft (and optionally name/description). Drafts may be incomplete: the draft is saved even when the
 * compiler finds problems, which are returned alongside.
 */
export async function saveDraft(ctx: ServiceCtx, input: SaveDraftInput) {
  const now = new Date();
  const flow = await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .update(flows)
      .set({
        draft: input.definition,
        draftUpdatedAt: now,
        updatedAt: now,
        ...(input.name === undefined ? {} : { name: input.name }),
        ...(input.description === undefined ? {} : { description: input.description }),
      })
      .where(and(eq(flows.id, input.id), eq(flows.orgId, ctx.org.id), isNull(flows.deletedAt)))
      .returning(flowSummary);
    if (!row) throw notFound(input.id);
    await ctx.audit(tx, {
      action: "flow.draft_saved",
      targetType: "flow",
      targetId: row.id,
      metadata: { nodes: input.definition.nodes.length, edges: input.definition.edges.length },
    });
    return row;
  });
  const problems = problemsOf(await compileForOrg(ctx.db, ctx.org.id, input.definition));
  return { flow, problems };
}

/** Compiles the saved draft (or the given definition) statically: nothing in it is evaluated or run. */
export async function validateFlow(ctx: ServiceCtx, input: ValidateFlowInput) {
  const flow = await loadFlow(ctx.db, ctx.org.id, input.id);
  const definition: unknown = input.definition === undefined ? flow.draft : input.definition;
  const problems = problemsOf(await compileForOrg(ctx.db, ctx.org.id, definition));
  return { ok: problems.length === 0, problems };
}
