import { FlowDefinition } from "@runnel/engine";

import type { ServiceCtx } from "./shared";
import { flowDeployment, latestVersion, loadFlow } from "./shared";

/** A flow with its draft, latest published version (or null) and deployment (or null). */
export async function getFlow(ctx: ServiceCtx, id: string) {
  const flow = await loadFlow(ctx.db, ctx.org.id, id);
  const [latest, deployment] = await Promise.all([
    latestVersion(ctx.db, ctx.org.id, flow.id),
    flowDeployment(ctx.db, ctx.org.id, flow.id),
  ]);
  return {
    id: flow.id,
    name: flow.name,
    slug: flow.slug,
    description: flow.description,
    createdAt: flow.createdAt,
    updatedAt: flow.updatedAt,
    draftUpdatedAt: flow.draftUpdatedAt,
    draft: FlowDefinition.parse(flow.draft),
    latestVersion: latest,
    deployment: deployment && {
      id: deployment.id,
      slug: deployment.slug,
      enabled: deployment.enabled,
      versionId: deployment.versionId,
    },
  };
}
