/**
 * A failed MCP connection or call. The message names the server by origin and path (never its query string,
 * never a header or token) and what went wrong.
 */
export class McpCallError extends Error {
  override readonly name = "McpCallError";
  readonly code = "MCP_CALL_FAILED";
  constructor(
    message: string,
    readonly details: {
      server: string;
      /** A JSON-RPC error code the server answered with, when it answered one. */
      rpcCode?: number;
      /** The server hung, closed, or answered something that is not MCP: the connection is dropped. */
      transport: boolean;
    },
  ) {
    super(message);
  }
}

/** How a server URL appears in messages: origin and path only, so a token in the query string never leaks. */
export function serverLabel(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}
