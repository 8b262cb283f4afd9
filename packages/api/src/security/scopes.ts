import type { Role } from "@runnel/auth";

/**
 * What an API key may do. A key with no scopes (the default) may do everything an editor may; a scoped key may do
 * only what its scopes say:
 * - `runs:read`: read runs, their events and the OpenAPI document (REST `GET`), and act as a viewer in tRPC;
 * - `runs:write`: also start and cancel runs and decide approvals (every REST method but `GET`), editor in tRPC;
 * - `mcp`: list and call the org's MCP tools at `/api/mcp` (docs/mcp.md), nothing else. It is separate from the
 *   runs scopes both ways: `runs:write` does not grant it, and an `mcp`-only key is refused by REST and tRPC.
 */
export const API_KEY_SCOPES = ["runs:read", "runs:write", "mcp"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export function isApiKeyScope(value: string): value is ApiKeyScope {
  return (API_KEY_SCOPES as readonly string[]).includes(value);
}

/** Whether a key with `scopes` may do what `needed` names (a write scope includes reading). */
export function keyAllows(scopes: readonly string[], needed: ApiKeyScope): boolean {
  if (scopes.length === 0) return true;
  if (needed === "mcp") return scopes.includes("mcp");
  return scopes.includes("runs:write") || (needed === "runs:read" && scopes.includes("runs:read"));
}

/** The role a key acts with in tRPC: editor, or viewer for a read-only key. */
export function keyRole(scopes: readonly string[]): Role {
  return keyAllows(scopes, "runs:write") ? "editor" : "viewer";
}

/** The scope a REST request needs: reading for GET, writing for any other method. */
export function scopeForMethod(method: string): ApiKeyScope {
  return method === "GET" || method === "HEAD" ? "runs:read" : "runs:write";
}
