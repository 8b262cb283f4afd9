import type { AgentDirective } from "@runnel/nodes";

import type { RunContext } from "../../context";
import type { Pending } from "../../types";
import { prepareTool } from "./tools/registry";

/** Inside the node's first step: fixes the request and the tools (a flow tool's version and schema) for every replay. */
export async function startAgent(
  context: RunContext,
  request: AgentDirective["request"],
): Promise<Extract<Pending, { kind: "agent" }>> {
  const tools = [];
  for (const tool of request.tools) tools.push(await prepareTool(context, tool));
  return { kind: "agent", request, tools };
}

export { finishAgent } from "./loop";
export type { PreparedTool } from "./tools/types";
