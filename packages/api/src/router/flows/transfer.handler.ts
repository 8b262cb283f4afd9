import { FlowDefinition } from "@runnel/engine";

import type { ServiceCtx } from "./shared";
import type { ExportFlowInput, FlowDocument, ImportFlowInput } from "./transfer.schema";
import { getVersion } from "./publish.handler";
import { insertFlow, loadFlow } from "./shared";
import { EXPORT_FORMAT, EXPORT_FORMAT_VERSION } from "./transfer.schema";

/** The flow's draft (or a published version) as a portable JSON document. */
export async function exportFlow(ctx: ServiceCtx, input: ExportFlowInput): Promise<FlowDocument> {
  const flow = await loadFlow(ctx.db, ctx.org.id, input.id);
  const definition =
    input.version === undefined
      ? FlowDefinition.parse(flow.draft)
      : (await getVersion(ctx, { id: flow.id, number: input.version })).definition;
  return {
    format: EXPORT_FORMAT,
    formatVersion: EXPORT_FORMAT_VERSION,
    name: flow.name,
    description: flow.description,
    definition,
    exportedAt: new Date().toISOString(),
    sourceVersion: input.version ?? null,
  };
}

/** A new flow (new slug, draft = the document's definition). Credential ids in it must exist in this org to compile. */
export function importFlow(ctx: ServiceCtx, input: ImportFlowInput) {
  return insertFlow(
    ctx,
    {
      name: input.name ?? input.document.name,
      description: input.document.description,
      draft: input.document.definition,
    },
    { action: "flow.imported", metadata: { nodes: input.document.definition.nodes.length } },
  );
}
