import { randomUUID } from "node:crypto";

import type { Database } from "@runnel/db";
import { and, desc, eq } from "@runnel/db";
import { flows, flowVersions } from "@runnel/db/schema";

import type { FlowDefinitionInput } from "../flow/definition";
import { seedFlowVersion } from "../runs/fixtures";

/** A manual trigger `start` plus the given nodes and edges (settings default). */
export function flowOf(
  nodes: FlowDefinitionInput["nodes"],
  edges: [string, string, string?, string?][],
): FlowDefinitionInput {
  return {
    nodes: [
      { id: "start", type: "manual_trigger", version: 1, name: "Start", config: {} },
      ...nodes,
    ],
    edges: edges.map(([source, target, sourcePort, targetPort], index) => ({
      id: `e${index}`,
      source,
      sourcePort: sourcePort ?? "out",
      target,
      targetPort: targetPort ?? "in",
    })),
  };
}

/** A new org with one flow at version 1. */
export function seedFlow(db: Database, definition: FlowDefinitionInput) {
  return seedFlowVersion(db, definition);
}

/** Another flow of an existing org, published as version 1. */
export async function addFlow(
  db: Database,
  orgId: string,
  definition: FlowDefinitionInput,
): Promise<{ flowId: string; flowVersionId: string }> {
  const [flow] = await db
    .insert(flows)
    .values({
      orgId,
      name: "Flow",
      slug: `flow-${randomUUID().slice(0, 8)}`,
      draft: definition as Record<string, unknown>,
    })
    .returning({ id: flows.id });
  if (!flow) throw new Error("addFlow: inserting the flow returned no row");
  const version = await publishVersion(db, orgId, flow.id, definition);
  return { flowId: flow.id, flowVersionId: version };
}

/** Publishes the next version of a flow; returns its id. */
export async function publishVersion(
  db: Database,
  orgId: string,
  flowId: string,
  definition: FlowDefinitionInput,
): Promise<string> {
  const [latest] = await db
    .select({ number: flowVersions.number })
    .from(flowVersions)
    .where(and(eq(flowVersions.orgId, orgId), eq(flowVersions.flowId, flowId)))
    .orderBy(desc(flowVersions.number))
    .limit(1);
  const [row] = await db
    .insert(flowVersions)
    .values({
      orgId,
      flowId,
      number: (latest?.number ?? 0) + 1,
      definition: definition as Record<string, unknown>,
    })
    .returning({ id: flowVersions.id });
  if (!row) throw new Error("publishVersion: inserting the version returned no row");
  return row.id;
}
