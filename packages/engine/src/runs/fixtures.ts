import { randomUUID } from "node:crypto";

import type { Database } from "@runnel/db";
import { flows, flowVersions, orgs } from "@runnel/db/schema";

export interface SeededFlow {
  orgId: string;
  flowId: string;
  flowVersionId: string;
}

/** An org with one flow and its published version 1, for tests of the run store and of runFlow. */
export async function seedFlowVersion(
  db: Database,
  definition: Record<string, unknown> = { nodes: [], edges: [] },
) {
  const suffix = randomUUID().slice(0, 8);
  const [org] = await db
    .insert(orgs)
    .values({ name: `Org ${suffix}`, slug: `org-${suffix}` })
    .returning({ id: orgs.id });
  if (!org) throw new Error("seedFlowVersion: inserting the org returned no row");
  const [flow] = await db
    .insert(flows)
    .values({ orgId: org.id, name: "Flow", slug: `flow-${suffix}`, draft: definition })
    .returning({ id: flows.id });
  if (!flow) throw new Error("seedFlowVersion: inserting the flow returned no row");
  const [version] = await db
    .insert(flowVersions)
    .values({ orgId: org.id, flowId: flow.id, number: 1, definition })
    .returning({ id: flowVersions.id });
  if (!version) throw new Error("seedFlowVersion: inserting the version returned no row");
  return { orgId: org.id, flowId: flow.id, flowVersionId: version.id } satisfies SeededFlow;
}
