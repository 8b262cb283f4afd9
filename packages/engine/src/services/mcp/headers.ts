import type { CredentialsService } from "@runnel/nodes";

/** Credential types an MCP server connection accepts: `mcp` (bearer token and/or headers) or a plain HTTP one. */
export const MCP_CREDENTIAL_TYPES = ["mcp", "httpBearer", "httpHeader"] as const;

/**
 * The request headers a credential contributes. The `mcp` type's `headers` field is a JSON object of header →
 * value (validated when the credential is saved; checked again here since stored data may predate the check).
 */
export async function credentialHeaders(
  credentials: CredentialsService,
  credentialId: string,
): Promise<Record<string, string>> {
  const { type, data } = await credentials.resolve(credentialId, MCP_CREDENTIAL_TYPES);
  if (type === "httpBearer") return { authorization: `Bearer ${data.token ?? ""}` };
  if (type === "httpHeader") return { [(data.name ?? "").toLowerCase()]: data.value ?? "" };
  const headers: Record<string, string> = {};
  if (data.headers !== undefined) {
    for (const [name, value] of Object.entries(parseHeaderObject(data.headers))) {
      headers[name.toLowerCase()] = value;
    }
  }
  if (data.bearerToken !== undefined) headers.authorization = `Bearer ${data.bearerToken}`;
  return headers;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Parses a JSON object of header → string value; the error never repeats a value (they are secrets). */
export function parseHeaderObject(text: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('Headers must be a JSON object such as {"X-Api-Key": "..."}');
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new Error('Headers must be a JSON object such as {"X-Api-Key": "..."}');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (!HEADER_NAME.test(name))
      throw new Error(`Header name "${name}" is not a valid HTTP header name`);
    if (typeof value !== "string")
      throw new Error(`The value of header "${name}" must be a string`);
    headers[name] = value;
  }
  return headers;
}
