import { FlowDefinition } from "@runnel/engine";

import type { CreateFlowInput, DuplicateFlowInput } from "./create.schema";
import type { ServiceCtx } from "./shared";
import { insertFlow, loadFlow, starterDefinition } from "./shared";

/** A new flow with a unique slug and a starter draft (one manual trigger). */
export function createFlow(ctx: ServiceCtx, input: CreateFlowInput) {
  return insertFlow(
    ctx,
    { name: input.name, description: input.description, draft: starterDefinition() },
    { action: "flow.created" },
  );
}

/** A new flow with a copy of another flow's draft and description (no versions, deployment or triggers). */
export async function duplicateFlow(ctx: ServiceCtx, input: DuplicateFlowInput) {
  const source = await loadFlow(ctx.db, ctx.org.id, input.id);
  return insertFlow(
    ctx,
    {
      name: input.name ?? `${source.name} (copy)`.slice(0, 200),
      description: source.description,
      draft: FlowDefinition.parse(source.draft),
    },
    { action: "flow.duplicated", metadata: { sourceFlowId: source.id } },
  );
}
