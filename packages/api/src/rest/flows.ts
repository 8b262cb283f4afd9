import type { Database } from "@runnel/db";
import type { FlowContract } from "@runnel/engine";
import type { JsonSchema } from "@runnel/nodes";
import { and, eq, isNull, or } from "@runnel/db";
import { deployments, flows, flowVersions } from "@runnel/db/schema";
import { flowContract } from "@runnel/engine";

import type { DeploymentMcpSettings } from "../mcp/settings";
import { mcpSettingsOf } from "../mcp/settings";

/** A deployed flow as the REST surface serves it: the pinned version and its public contract. */
export interface DeployedFlow {
  deploymentId: string;
  flowId: string;
  flowName: string;
  description: string;
  slug: string;
  versionId: string;
  versionNumber: number;
  /** The trigger node public runs start at (an API trigger, else a manual trigger); null when there is none. */
  triggerNodeId: string | null;
  inputSchema: JsonSchema;
  /** The API trigger's declared output schema; null when the flow declares none. */
  outputSchema: JsonSchema | null;
  /** Whether (and as what) it is a tool on the org's MCP endpoint; null when never set. */
  mcp: DeploymentMcpSettings | null;
}

const deployedColumns = {
  deploymentId: deployments.id,
  flowId: flows.id,
  flowName: flows.name,
  description: flows.description,
  slug: deployments.slug,
  versionId: flowVersions.id,
  versionNumber: flowVersions.number,
  definition: flowVersions.definition,
  settings: deployments.settings,
};

function deployedQuery(db: Database) {
  return db
    .select(deployedColumns)
    .from(deployments)
    .innerJoin(flows, and(eq(flows.id, deployments.flowId), eq(flows.orgId, deployments.orgId)))
    .innerJoin(
      flowVersions,
      and(eq(flowVersions.id, deployments.versionId), eq(flowVersions.orgId, deployments.orgId)),
    )
    .$dynamic();
}

type DeployedRow = Awaited<ReturnType<typeof deployedQuery>>[number];

/** The contract of a stored definition (the engine's flowContract, shared with agents' flow tools). */
export function publicContract(stored: unknown): FlowContract {
  return flowContract(stored);
}

function toDeployed(row: DeployedRow): DeployedFlow {
  const { definition, settings, ...rest } = row;
  return { ...rest, ...publicContract(definition), mcp: mcpSettingsOf(settings) };
}

/** The org's enabled deployment of a flow named by deployment slug or flow id; undefined when there is none. */
export async function findDeployedFlow(
  db: Database,
  orgId: string,
  idOrSlug: string,
): Promise<DeployedFlow | undefined> {
  const [row] = await deployedQuery(db)
    .where(
      and(
        eq(deployments.orgId, orgId),
        eq(deployments.enabled, true),
        isNull(flows.deletedAt),
        or(eq(deployments.slug, idOrSlug), eq(deployments.flowId, idOrSlug)),
      ),
    )
    .limit(1);
  return row ? toDeployed(row) : undefined;
}

/** Every enabled deployment of the org, by slug. */
export async function listDeployedFlows(db: Database, orgId: string): Promise<DeployedFlow[]> {
  const rows = await deployedQuery(db)
    .where(
      and(eq(deployments.orgId, orgId), eq(deployments.enabled, true), isNull(flows.deletedAt)),
    )
    .orderBy(deployments.slug);
  return rows.map(toDeployed);
}
