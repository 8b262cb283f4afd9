import type { Database } from "@runnel/db";
import { and, eq, isNull } from "@runnel/db";
import { flows, flowVersions } from "@runnel/db/schema";

import type { AvailableFlow } from "../compiler";

/** The org's flows for the compiler's flow-reference check: id, and whether a version is published. */
export async function listAvailableFlows(
  db: Pick<Database, "select" | "selectDistinct">,
  orgId: string,
): Promise<AvailableFlow[]> {
  const rows = await db
    .select({ id: flows.id })
    .from(flows)
    .where(and(eq(flows.orgId, orgId), isNull(flows.deletedAt)));
  const published = await db
    .selectDistinct({ flowId: flowVersions.flowId })
    .from(flowVersions)
    .where(and(eq(flowVersions.orgId, orgId), eq(flowVersions.kind, "published")));
  const withVersion = new Set(published.map((row) => row.flowId));
  return rows.map((row) => ({ id: row.id, published: withVersion.has(row.id) }));
}
