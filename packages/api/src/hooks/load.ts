import type { Database } from "@runnel/db";
import { and, eq, isNull, sql } from "@runnel/db";
import { flows, flowVersions, triggers } from "@runnel/db/schema";

import type { HookShape } from "./version-cache";
import { createHookShapeCache } from "./version-cache";

/** A webhook as a delivery needs it: its trigger row, the version it runs, and that version's shape. */
export interface Hook extends HookShape {
  triggerId: string;
  orgId: string;
  flowId: string;
  nodeId: string;
  /** The trigger's own signing secret, encrypted (null: none, or the node names a credential). */
  secret: string | null;
  versionId: string;
}

/** Parsed published versions, shared by every delivery in this process (versions never change). */
const hookShapes = createHookShapeCache();

/**
 * The enabled webhook trigger of a live flow, read against the flow's latest published version (the version whose
 * publication created or kept this trigger row); undefined when there is none.
 */
export async function loadHook(db: Database, hookId: string): Promise<Hook | undefined> {
  const [row] = await db
    .select({
      triggerId: triggers.id,
      orgId: triggers.orgId,
      flowId: triggers.flowId,
      nodeId: triggers.nodeId,
      secret: triggers.secret,
      // The latest published version, in the same round trip (what resolveFlowVersion would answer).
      versionId: sql<string | null>`(
        select ${flowVersions.id} from ${flowVersions}
        where ${flowVersions.orgId} = ${triggers.orgId} and ${flowVersions.flowId} = ${triggers.flowId}
          and ${flowVersions.kind} = 'published'
        order by ${flowVersions.number} desc limit 1)`,
    })
    .from(triggers)
    .innerJoin(flows, and(eq(flows.id, triggers.flowId), eq(flows.orgId, triggers.orgId)))
    .where(
      and(
        eq(triggers.hookId, hookId),
        eq(triggers.kind, "webhook"),
        eq(triggers.enabled, true),
        isNull(flows.deletedAt),
      ),
    )
    .limit(1);
  const { nodeId, versionId } = row ?? {};
  if (!row || !nodeId || !versionId) return undefined;
  const shape = await hookShapes.get(versionId, nodeId, async () => {
    const [stored] = await db
      .select({ definition: flowVersions.definition })
      .from(flowVersions)
      .where(and(eq(flowVersions.id, versionId), eq(flowVersions.orgId, row.orgId)));
    return stored?.definition;
  });
  if (!shape) return undefined;
  return {
    triggerId: row.triggerId,
    orgId: row.orgId,
    flowId: row.flowId,
    nodeId,
    secret: row.secret,
    versionId,
    ...shape,
  };
}
