import { isExpression } from "./expression";

/** The server of an agent's `mcp` tool, as `mcp.tools` takes it. */
export interface McpServerInput {
  url: string;
  transport?: "streamable-http" | "sse";
  credentialId?: string;
}

/** Tool names the providers accept (TOOL_NAME_PATTERN of @runnel/nodes). */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * The server the editor can list tools of, from a tool's `server` object; or why it cannot (shown to the user).
 * Expressions are not listed: their value is only known when the node runs.
 */
export function listableMcpServer(
  server: unknown,
): { server: McpServerInput } | { reason: string } {
  const fields =
    typeof server === "object" && server !== null ? (server as Record<string, unknown>) : {};
  const url = typeof fields.url === "string" ? fields.url.trim() : "";
  if (url === "") return { reason: "Enter the server URL to list its tools, or type a tool name." };
  if (isExpression(url)) return { reason: "The server URL is an expression; type the tool name." };
  if (!/^https?:\/\/\S+$/.test(url)) return { reason: "The server URL must be an http(s) URL." };
  const listed: McpServerInput = { url };
  if (fields.transport === "streamable-http" || fields.transport === "sse")
    listed.transport = fields.transport;
  if (typeof fields.credentialId === "string" && fields.credentialId !== "")
    listed.credentialId = fields.credentialId;
  return { server: listed };
}

/** The name the model sees for a server's tool: the same name when providers accept it, else a safe one. */
export function modelToolName(serverToolName: string): string {
  if (TOOL_NAME.test(serverToolName)) return serverToolName;
  const safe = serverToolName.replace(/[^a-zA-Z0-9_-]+/g, "_").slice(0, 64);
  return /[a-zA-Z0-9]/.test(safe) ? safe : "mcp_tool";
}

/** An `mcp` tool after picking the server's tool `picked`: `tool` set, and `name` too while it is empty. */
export function withPickedMcpTool(
  tool: Record<string, unknown>,
  picked: string,
): Record<string, unknown> {
  const named = typeof tool.name === "string" && tool.name.trim() !== "";
  return { ...tool, tool: picked, ...(named ? {} : { name: modelToolName(picked) }) };
}
