import type { Database } from "@runnel/db";
import { and, eq, isNull, sql } from "@runnel/db";
import { flows, flowVersions } from "@runnel/db/schema";

import type { AvailableFlow } from "../compiler";

/** The org's flows for the compiler's flow-reference check: id, and whether a version is published. */
export async function listAvailableFlows(
  db: Pick<Database, "select">,
  orgId: string,
): Promise<AvailableFlow[]> {
  const rows = await db
    .select({
      id: flows.id,
      published: sql<boolean>`exists (select 1 from ${flowVersions} where ${flowVersions.flowId} = ${flows.id} and ${flowVersions.orgId} = ${flows.orgId} and ${flowVersions.kind} = 'published')`,
    })
    .from(flows)
    .where(and(eq(flows.orgId, orgId), isNull(flows.deletedAt)));
  return rows.map((row) => ({ id: row.id, published: row.published === true }));
}
