import type { JsonValue, McpTool } from "@runnel/nodes";

import type { RunContext } from "../../../context";
import type { ToolKind } from "./types";
import { createCredentialsService } from "../../../../../services/credentials/credentials";
import { createMcpService } from "../../../../../services/mcp/mcp";
import { messageOf } from "./types";

/** An MCP client for one use, with the run's org credentials (connections are not kept between steps). */
function mcpFor(context: RunContext, timeoutMs?: number) {
  const { services } = context.resources;
  return createMcpService({
    http: services.http,
    credentials: createCredentialsService({
      db: services.db,
      masterKey: services.masterKey,
      orgId: context.orgId,
    }),
    ...(timeoutMs === undefined ? {} : { callTimeoutMs: timeoutMs }),
  });
}

function remoteName(tool: McpTool): string {
  return tool.tool ?? tool.name;
}

function textOf(content: JsonValue[]): string {
  const texts = content.flatMap((block) =>
    typeof block === "object" &&
    block !== null &&
    !Array.isArray(block) &&
    typeof block.text === "string"
      ? [block.text]
      : [],
  );
  return texts.length > 0 ? texts.join("\n") : JSON.stringify(content);
}

/**
 * A tool of a remote MCP server (docs/mcp.md). Prepared once from the server's tools/list (description and input
 * schema); each call is one durable step calling tools/call, so a replay does not call the server again. A tool
 * error (`isError`) or a failed connection goes back to the model as an error it can act on.
 */
export const mcpTool: ToolKind<McpTool> = {
  async prepare(context, tool) {
    const mcp = mcpFor(context);
    try {
      const tools = await mcp.listTools(tool.server);
      const remote = tools.find((candidate) => candidate.name === remoteName(tool));
      if (!remote)
        throw new Error(
          `tool "${tool.name}": the MCP server has no tool "${remoteName(tool)}" (it has ${tools.map((t) => t.name).join(", ") || "none"})`,
        );
      return {
        declaration: {
          name: tool.name,
          description: tool.description ?? remote.description ?? `MCP tool ${remote.name}`,
          parameters: remote.inputSchema,
        },
        tool,
      };
    } catch (error) {
      if (error instanceof Error && error.message.startsWith(`tool "${tool.name}"`)) throw error;
      throw new Error(`tool "${tool.name}": ${messageOf(error)}`);
    } finally {
      await mcp.close();
    }
  },

  run(context, _node, { tool }, call) {
    return context.steps.run(call.stepId, async () => {
      await context.store.flush();
      const began = performance.now();
      const latency = () => Math.round(performance.now() - began);
      const mcp = mcpFor(context, tool.timeoutMs);
      try {
        const result = await mcp.callTool(tool.server, remoteName(tool), call.arguments);
        if (result.isError) return { error: textOf(result.content), latencyMs: latency() };
        return {
          result: result.structuredContent ?? { content: result.content },
          latencyMs: latency(),
        };
      } catch (error) {
        return { error: messageOf(error), latencyMs: latency() };
      } finally {
        await mcp.close();
      }
    });
  },
};
