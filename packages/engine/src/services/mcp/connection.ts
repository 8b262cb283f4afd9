import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from "@modelcontextprotocol/sdk/client/streamableHttp.js";

import type { McpTransportKind } from "./config";

/** An initialised MCP session with one server, and the last transport error it reported (for messages). */
export interface McpConnection {
  client: Client;
  transport: McpTransportKind;
  lastError(): Error | undefined;
  close(): Promise<void>;
}

export interface ConnectOptions {
  url: string;
  transport: McpTransportKind | undefined;
  headers: Record<string, string>;
  fetch: typeof fetch;
  timeoutMs: number;
}

const CLIENT_INFO = { name: "runnel", version: "1.0.0" };

async function connectWith(
  kind: McpTransportKind,
  options: ConnectOptions,
): Promise<McpConnection> {
  const url = new URL(options.url);
  const requestInit = { headers: options.headers };
  const transport: Transport =
    kind === "sse"
      ? new SSEClientTransport(url, { fetch: options.fetch, requestInit })
      : new StreamableHTTPClientTransport(url, {
          fetch: options.fetch,
          requestInit,
          // The standalone GET stream is reopened at most once; a call never waits on it.
          reconnectionOptions: {
            initialReconnectionDelay: 1000,
            maxReconnectionDelay: 5000,
            reconnectionDelayGrowFactor: 2,
            maxRetries: 1,
          },
        });
  const client = new Client(CLIENT_INFO, { capabilities: {} });
  let lastError: Error | undefined;
  client.onerror = (error) => {
    lastError = error;
  };
  try {
    await client.connect(transport, { timeout: options.timeoutMs });
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
  return {
    client,
    transport: kind,
    lastError: () => lastError,
    close: () => client.close(),
  };
}

/** Whether a failed Streamable HTTP attempt means "this is an older server: try SSE" (spec: any 4xx but auth). */
function suggestsLegacySse(error: unknown): boolean {
  if (!(error instanceof StreamableHTTPError)) return false;
  const code = error.code ?? 0;
  return code >= 400 && code < 500 && code !== 401 && code !== 403;
}

/**
 * Connects and initialises. Without a transport given, Streamable HTTP is tried first and SSE used when the
 * server answers the POST with a 4xx other than 401/403 (the spec's backwards-compatibility rule).
 */
export async function connectMcp(options: ConnectOptions): Promise<McpConnection> {
  if (options.transport !== undefined) return connectWith(options.transport, options);
  try {
    return await connectWith("streamable-http", options);
  } catch (error) {
    if (!suggestsLegacySse(error)) throw error;
    return connectWith("sse", options);
  }
}
