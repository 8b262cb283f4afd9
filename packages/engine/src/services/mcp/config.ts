import { z } from "zod";

export const MCP_TRANSPORTS = ["streamable-http", "sse"] as const;
export type McpTransportKind = (typeof MCP_TRANSPORTS)[number];

const STDIO_REFUSED =
  "stdio MCP servers are not supported: Runnel never starts a process from configuration; give the URL of a Streamable HTTP or SSE server";
/** A key of a local (stdio) server configuration: refused with a message saying why. */
const stdioKey = () => z.never({ error: STDIO_REFUSED }).optional();

/**
 * A remote MCP server: its URL, the transport (unset: Streamable HTTP, falling back to SSE) and an optional
 * credential for its headers. A stdio configuration (`command`, `args` ...) is a validation error.
 */
export const McpServerConfig = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: "MCP server URL must be an http(s) URL" })
    .meta({ title: "MCP server URL" }),
  transport: z
    .enum(MCP_TRANSPORTS, { error: 'transport must be "streamable-http" or "sse"' })
    .optional()
    .meta({ description: "Unset: try Streamable HTTP, fall back to SSE for older servers" }),
  credentialId: z.string().min(1).optional(),
  command: stdioKey(),
  args: stdioKey(),
  env: stdioKey(),
  cwd: stdioKey(),
  stdio: stdioKey(),
});
export type McpServerConfig = z.infer<typeof McpServerConfig>;
