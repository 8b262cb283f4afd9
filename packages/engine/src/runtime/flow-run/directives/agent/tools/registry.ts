import type { AgentTool, AgentToolKind } from "@runnel/nodes";

import type { PlanNode } from "../../../../../compiler";
import type { RunContext } from "../../../context";
import type { PreparedTool, ToolCall, ToolKind, ToolOutcome } from "./types";
import { codeTool } from "./code";
import { flowTool } from "./flow";
import { httpTool } from "./http";
import { mcpTool } from "./mcp";

/**
 * The tool kinds an agent can use, one module each. A new kind adds its config schema to AgentTool in
 * @runnel/nodes (agent-tools.ts) and its entry here.
 */
const TOOL_KINDS: { [K in AgentToolKind]: ToolKind<Extract<AgentTool, { kind: K }>> } = {
  flow: flowTool,
  http: httpTool,
  code: codeTool,
  mcp: mcpTool,
};

function kindOf<K extends AgentToolKind>(kind: K): ToolKind<Extract<AgentTool, { kind: K }>> {
  return TOOL_KINDS[kind];
}

export function prepareTool(context: RunContext, tool: AgentTool): Promise<PreparedTool> {
  switch (tool.kind) {
    case "flow":
      return kindOf("flow").prepare(context, tool);
    case "http":
      return kindOf("http").prepare(context, tool);
    case "code":
      return kindOf("code").prepare(context, tool);
    case "mcp":
      return kindOf("mcp").prepare(context, tool);
  }
}

export function runTool(
  context: RunContext,
  node: PlanNode,
  prepared: PreparedTool,
  call: ToolCall,
): Promise<ToolOutcome> {
  const { tool } = prepared;
  switch (tool.kind) {
    case "flow":
      return kindOf("flow").run(context, node, { ...prepared, tool }, call);
    case "http":
      return kindOf("http").run(context, node, { ...prepared, tool }, call);
    case "code":
      return kindOf("code").run(context, node, { ...prepared, tool }, call);
    case "mcp":
      return kindOf("mcp").run(context, node, { ...prepared, tool }, call);
  }
}
