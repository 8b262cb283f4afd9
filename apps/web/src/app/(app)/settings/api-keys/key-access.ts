/**
 * The access choices the create dialog offers, as API-key scopes (packages/api/src/security/scopes.ts). "Full
 * access" sends no scopes, which the API treats as editor-equivalent.
 */
export const KEY_ACCESS = [
  {
    value: "full",
    label: "Full access",
    hint: "Everything an editor may do: flows, credentials, runs and approvals.",
    scopes: [],
  },
  {
    value: "runs:write",
    label: "Read and write runs",
    hint: "Scope runs:write: read, start and cancel runs and decide approvals (an editor in tRPC).",
    scopes: ["runs:write"],
  },
  {
    value: "runs:read",
    label: "Read runs only",
    hint: "Scope runs:read: read runs and their events; acts as a viewer and cannot change anything.",
    scopes: ["runs:read"],
  },
  {
    value: "mcp",
    label: "MCP tools only",
    hint: "Scope mcp: list and call the deployments offered as MCP tools at /api/mcp; nothing else.",
    scopes: ["mcp"],
  },
] as const;

export type KeyAccess = (typeof KEY_ACCESS)[number]["value"];

export function keyAccess(value: string): (typeof KEY_ACCESS)[number] {
  return KEY_ACCESS.find((access) => access.value === value) ?? KEY_ACCESS[0];
}

/** How the key list names a key's scopes. */
export function describeScopes(scopes: readonly string[]): string {
  if (scopes.length === 0) return "Full access";
  if (scopes.includes("runs:write")) return "Read and write runs";
  if (scopes.includes("runs:read")) return "Read runs only";
  if (scopes.includes("mcp")) return "MCP tools only";
  return scopes.join(", ");
}
