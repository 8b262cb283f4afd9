import type { Tool } from "@modelcontextprotocol/sdk/types.js";

import type { Database } from "@runnel/db";

import type { DeployedFlow } from "../rest/flows";
import { listDeployedFlows } from "../rest/flows";
import { toolNameOf } from "./settings";

/** A deployment offered as an MCP tool. */
export interface DeploymentTool {
  tool: Tool;
  flow: DeployedFlow;
}

/**
 * The org's enabled deployments that opted in to MCP, as tools: the input schema is the one the REST OpenAPI document
 * gives the deployment. A deployment whose input is not an object (MCP arguments always are) is left out, and of
 * two deployments with the same tool name the first by slug wins (setMcp refuses to make such a pair).
 */
export async function deploymentTools(db: Database, orgId: string): Promise<DeploymentTool[]> {
  const tools = new Map<string, DeploymentTool>();
  for (const flow of await listDeployedFlows(db, orgId)) {
    if (flow.mcp?.enabled !== true) continue;
    const schema = flow.inputSchema;
    if (schema.type !== undefined && schema.type !== "object") continue;
    const name = toolNameOf(flow.slug, flow.mcp);
    if (tools.has(name)) continue;
    tools.set(name, {
      flow,
      tool: {
        name,
        title: flow.flowName,
        description:
          flow.mcp.description ?? (flow.description || `Runs the flow "${flow.flowName}"`),
        inputSchema: { ...schema, type: "object" },
      },
    });
  }
  return [...tools.values()];
}

/** The deployment behind a tool name. */
export async function findDeploymentTool(
  db: Database,
  orgId: string,
  name: string,
): Promise<DeploymentTool | undefined> {
  return (await deploymentTools(db, orgId)).find((entry) => entry.tool.name === name);
}
