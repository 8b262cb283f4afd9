import { createHash } from "node:crypto";
import { SseError } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";

import type { CredentialsService, HttpService, JsonValue } from "@runnel/nodes";

import type { McpConnection } from "./connection";
import { McpServerConfig } from "./config";
import { connectMcp } from "./connection";
import { McpCallError, serverLabel } from "./errors";
import { mcpFetch } from "./fetch";
import { credentialHeaders } from "./headers";

export interface McpTool {
  name: string;
  description?: string;
  /** The tool's arguments as JSON Schema (an object schema). */
  inputSchema: Record<string, unknown>;
}

export interface McpToolResult {
  /** The content blocks as the server sent them (text, image, resource ...). */
  content: JsonValue[];
  structuredContent?: Record<string, JsonValue>;
  /** The tool itself reported a failure (the call reached it). */
  isError: boolean;
}

export interface McpServiceOptions {
  http: HttpService;
  credentials: CredentialsService;
  /** Connecting and initialising, ms (default 10 000). */
  connectTimeoutMs?: number;
  /** Each request (tools/list page, tools/call), ms (default 60 000). */
  callTimeoutMs?: number;
  /** Connections kept open for reuse, per process (default 16); the least recently used is closed first. */
  maxConnections?: number;
  /** An unused connection is closed after this long, ms (default 60 000). */
  idleMs?: number;
  /** Bytes read from one response stream at most (default 10 MiB). */
  maxStreamBytes?: number;
}

export interface McpService {
  listTools(server: unknown): Promise<McpTool[]>;
  callTool(server: unknown, name: string, args: Record<string, unknown>): Promise<McpToolResult>;
  /** Closes every open connection. */
  close(): Promise<void>;
}

interface PoolEntry {
  connection: Promise<McpConnection>;
  idleTimer: NodeJS.Timeout | undefined;
  active: number;
}

const MAX_TOOL_PAGES = 20;

/**
 * MCP client: lists and calls the tools of remote MCP servers (Streamable HTTP or SSE) through the SSRF-safe HTTP
 * service. Connections are kept in a small per-process pool keyed by server, transport and credential headers.
 */
export function createMcpService(options: McpServiceOptions): McpService {
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const callTimeoutMs = options.callTimeoutMs ?? 60_000;
  const maxConnections = options.maxConnections ?? 16;
  const idleMs = options.idleMs ?? 60_000;
  const fetchThroughGuard = mcpFetch(options.http, {
    headersTimeoutMs: Math.max(connectTimeoutMs, callTimeoutMs),
    maxStreamBytes: options.maxStreamBytes ?? 10 * 1024 * 1024,
  });
  const pool = new Map<string, PoolEntry>();

  function parseServer(server: unknown): McpServerConfig {
    const parsed = McpServerConfig.safeParse(server);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    throw new McpCallError(`MCP server configuration is invalid: ${where}${issue?.message ?? ""}`, {
      server: "(configuration)",
      transport: false,
    });
  }

  function drop(key: string, entry: PoolEntry) {
    if (pool.get(key) !== entry) return;
    pool.delete(key);
    clearTimeout(entry.idleTimer);
    void entry.connection.then(
      (connection) => connection.close().catch(() => undefined),
      () => undefined,
    );
  }

  function evictBeyondLimit() {
    for (const [key, entry] of pool) {
      if (pool.size <= maxConnections) return;
      if (entry.active === 0) drop(key, entry);
    }
  }

  async function withConnection<T>(
    config: McpServerConfig,
    use: (connection: McpConnection) => Promise<T>,
  ): Promise<T> {
    const label = serverLabel(config.url);
    const headers =
      config.credentialId === undefined
        ? {}
        : await credentialHeaders(options.credentials, config.credentialId);
    const key = [
      config.url,
      config.transport ?? "auto",
      config.credentialId ?? "",
      createHash("sha256").update(JSON.stringify(headers)).digest("hex"),
    ].join("\n");
    let entry = pool.get(key);
    if (entry === undefined) {
      entry = {
        connection: connectMcp({
          url: config.url,
          transport: config.transport,
          headers,
          fetch: fetchThroughGuard,
          timeoutMs: connectTimeoutMs,
        }),
        idleTimer: undefined,
        active: 0,
      };
      pool.set(key, entry);
      evictBeyondLimit();
    } else {
      // Most recently used last, so eviction takes the oldest first.
      pool.delete(key);
      pool.set(key, entry);
    }
    const current = entry;
    clearTimeout(current.idleTimer);
    current.active++;
    let connection: McpConnection;
    try {
      connection = await current.connection;
    } catch (error) {
      current.active--;
      drop(key, current);
      throw connectError(label, error, connectTimeoutMs);
    }
    try {
      return await use(connection);
    } catch (error) {
      const failure = callError(label, error, callTimeoutMs, connection.lastError());
      if (failure.details.transport) drop(key, current);
      throw failure;
    } finally {
      current.active--;
      if (current.active === 0 && pool.get(key) === current) {
        current.idleTimer = setTimeout(() => drop(key, current), idleMs);
        current.idleTimer.unref();
      }
    }
  }

  return {
    async listTools(server) {
      const config = parseServer(server);
      return withConnection(config, async ({ client }) => {
        const tools: McpTool[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < MAX_TOOL_PAGES; page++) {
          const result = await client.listTools(cursor === undefined ? {} : { cursor }, {
            timeout: callTimeoutMs,
          });
          for (const tool of result.tools) {
            tools.push({
              name: tool.name,
              ...(tool.description === undefined ? {} : { description: tool.description }),
              inputSchema: tool.inputSchema,
            });
          }
          cursor = result.nextCursor;
          if (cursor === undefined) break;
        }
        return tools;
      });
    },

    async callTool(server, name, args) {
      const config = parseServer(server);
      return withConnection(config, async ({ client }) => {
        const result = await client.callTool({ name, arguments: args }, undefined, {
          timeout: callTimeoutMs,
        });
        const content = Array.isArray(result.content) ? (result.content as JsonValue[]) : [];
        const structured = result.structuredContent as Record<string, JsonValue> | undefined;
        return {
          content,
          ...(structured === undefined ? {} : { structuredContent: structured }),
          isError: result.isError === true,
        };
      });
    },

    async close() {
      const entries = [...pool.entries()];
      for (const [key, entry] of entries) drop(key, entry);
      await Promise.all(
        entries.map(([, entry]) =>
          entry.connection.then(
            (connection) => connection.close().catch(() => undefined),
            () => undefined,
          ),
        ),
      );
    },
  };
}

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const short = message.length > 300 ? `${message.slice(0, 300)}…` : message;
  const status =
    error instanceof StreamableHTTPError || error instanceof SseError ? error.code : undefined;
  return status !== undefined && status >= 100 && status < 600 ? `HTTP ${status}: ${short}` : short;
}

function connectError(label: string, error: unknown, timeoutMs: number): McpCallError {
  if (error instanceof McpError && error.code === (ErrorCode.RequestTimeout as number)) {
    return new McpCallError(
      `MCP server ${label} did not complete the initialisation within ${timeoutMs} ms`,
      { server: label, transport: true },
    );
  }
  if (error instanceof McpCallError) return error;
  return new McpCallError(`Could not connect to MCP server ${label}: ${reason(error)}`, {
    server: label,
    transport: true,
  });
}

function callError(
  label: string,
  error: unknown,
  timeoutMs: number,
  lastTransportError: Error | undefined,
): McpCallError {
  if (error instanceof McpCallError) return error;
  const also = lastTransportError ? ` (last transport error: ${reason(lastTransportError)})` : "";
  if (error instanceof McpError) {
    if (error.code === (ErrorCode.RequestTimeout as number))
      return new McpCallError(`MCP server ${label} did not answer within ${timeoutMs} ms${also}`, {
        server: label,
        transport: true,
      });
    if (error.code === (ErrorCode.ConnectionClosed as number))
      return new McpCallError(`MCP server ${label} closed the connection${also}`, {
        server: label,
        transport: true,
      });
    return new McpCallError(`MCP server ${label} answered with an error: ${reason(error)}`, {
      server: label,
      rpcCode: error.code,
      transport: false,
    });
  }
  return new McpCallError(`MCP server ${label} failed: ${reason(error)}${also}`, {
    server: label,
    transport: true,
  });
}
