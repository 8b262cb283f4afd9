import { z } from "zod";

/** MCP tool names: what clients and model providers accept (letters, digits, `_`, `-`; at most 64). */
const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** `deployments.settings.mcp`: whether the deployment is a tool on the org's MCP endpoint, and how it is named. */
export const DeploymentMcpSettings = z.strictObject({
  enabled: z.boolean(),
  toolName: z
    .string()
    .regex(TOOL_NAME, "A tool name has 1 to 64 letters, digits, _ or -")
    .optional(),
  description: z
    .string()
    .trim()
    .max(1000, "A tool description may be at most 1000 characters")
    .optional(),
});
export type DeploymentMcpSettings = z.infer<typeof DeploymentMcpSettings>;

/** The MCP settings stored on a deployment, or null when it has none (or they are unusable). */
export function mcpSettingsOf(settings: Record<string, unknown>): DeploymentMcpSettings | null {
  const parsed = DeploymentMcpSettings.safeParse(settings.mcp);
  return parsed.success ? parsed.data : null;
}

/** The tool's name: the chosen one, else the deployment slug with anything a tool name cannot hold as `_`. */
export function toolNameOf(slug: string, settings: DeploymentMcpSettings | null): string {
  return settings?.toolName ?? (slug.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64) || "flow");
}
