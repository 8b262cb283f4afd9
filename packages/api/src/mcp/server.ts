import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
} from "@modelcontextprotocol/sdk/types.js";

import type { VerifiedApiKey } from "@runnel/auth";
import type { Database } from "@runnel/db";
import type { Run } from "@runnel/engine";
import { bearerToken, verifyApiKey } from "@runnel/auth";

import type { RateLimits } from "../security/rate-limit";
import type { EngineDeps } from "../trpc";
import { consumeBudget } from "../rest/handler";
import { HttpProblem, withProblems } from "../rest/problem";
import { runDeployment } from "../rest/run-deployment";
import { inputProblems } from "../rest/start";
import { keyAllows } from "../security/scopes";
import { clientIp } from "../trpc";
import { deploymentTools, findDeploymentTool } from "./tools";

export interface McpHandlerDeps {
  db: Database;
  engine: EngineDeps;
  rateLimits?: RateLimits | undefined;
  /** How long `tools/call` waits for the run to end, ms (default 60 000). */
  callWaitMs?: number;
  onError?: (error: unknown, requestId: string) => void;
}

const SERVER_INFO = { name: "runnel", version: "1.0.0" };

async function authenticate(db: Database, request: Request): Promise<VerifiedApiKey> {
  const token = bearerToken(request.headers);
  const key = token === undefined ? null : await verifyApiKey(db, token);
  if (!key) {
    throw new HttpProblem(
      401,
      "unauthorized",
      token === undefined
        ? "Send an API key as `Authorization: Bearer rk_...`"
        : "The API key is invalid or has been revoked",
      {},
      { "www-authenticate": 'Bearer realm="runnel"' },
    );
  }
  if (!keyAllows(key.scopes, "mcp")) {
    throw new HttpProblem(
      403,
      "forbidden",
      `This API key (${key.prefix}…) has the scopes ${key.scopes.join(", ")}; the MCP endpoint needs mcp`,
      { requiredScope: "mcp" },
    );
  }
  return key;
}

function text(value: unknown): string {
  return JSON.stringify(value ?? null, null, 2);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A finished run as a tool result: its output, or `isError` with the run id and the error. */
function runResult(run: Run, ended: boolean, waitMs: number): CallToolResult {
  if (!ended) {
    return {
      isError: true,
      content: [
        {
          type: "text",
          text: `Run ${run.id} did not end within ${waitMs / 1000} s (status ${run.status}); follow it at /api/v1/runs/${run.id}`,
        },
      ],
    };
  }
  if (run.status === "succeeded") {
    const output = run.output ?? null;
    return {
      content: [{ type: "text", text: text(output) }],
      ...(isPlainObject(output) ? { structuredContent: output } : {}),
    };
  }
  const where = run.failedNodeId ? ` at node ${run.failedNodeId}` : "";
  const message =
    run.status === "failed"
      ? `Run ${run.id} failed${where}: ${run.error?.message ?? "unknown error"}`
      : `Run ${run.id} was cancelled`;
  return { isError: true, content: [{ type: "text", text: message }] };
}

/** One MCP server per request (stateless): the tools of the key's org, calls run as that key. */
function buildServer(
  deps: McpHandlerDeps,
  key: VerifiedApiKey,
  request: Request,
  requestId: string,
): Server {
  const server = new Server(SERVER_INFO, { capabilities: { tools: { listChanged: false } } });
  const waitMs = deps.callWaitMs ?? 60_000;
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: (await deploymentTools(deps.db, key.orgId)).map((entry) => entry.tool),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (call, extra) => {
    const found = await findDeploymentTool(deps.db, key.orgId, call.params.name);
    if (!found)
      throw new McpError(
        ErrorCode.InvalidParams,
        `No tool named "${call.params.name}" in this org`,
      );
    const input = call.params.arguments ?? {};
    const problems = inputProblems(found.flow.inputSchema, input);
    if (problems.length > 0) {
      // An error result rather than a protocol error, so a model reads it and can correct its arguments.
      const fields = problems
        .map(
          (problem) => `${problem.path === "" ? "(arguments)" : problem.path}: ${problem.message}`,
        )
        .join("; ");
      return {
        isError: true,
        content: [
          { type: "text", text: `Invalid arguments for tool ${found.tool.name}: ${fields}` },
        ],
      };
    }
    const { run, ended } = await runDeployment(deps, {
      orgId: key.orgId,
      flow: found.flow,
      input,
      key,
      requestId,
      ip: clientIp(request.headers),
      via: "mcp",
      waitMs,
      signal: extra.signal,
    });
    return runResult(run, ended, waitMs);
  });
  return server;
}

/**
 * The org's MCP endpoint (`/api/mcp`, Streamable HTTP, stateless, JSON responses): `tools/list` lists the
 * deployments that opted in, `tools/call` runs one and answers with its output. API-key auth with the `mcp` scope
 * (or an unscoped key); the request budget of the REST surface.
 */
export function createMcpHandler(deps: McpHandlerDeps): (request: Request) => Promise<Response> {
  return withProblems(async (request, requestId) => {
    if (request.method !== "POST") {
      throw new HttpProblem(
        405,
        "method-not-allowed",
        `${request.method} is not allowed on the MCP endpoint: it is stateless, send JSON-RPC with POST`,
        {},
        { allow: "POST" },
      );
    }
    const key = await authenticate(deps.db, request);
    await consumeBudget(deps.rateLimits, "apiKey", key.id);
    await consumeBudget(deps.rateLimits, "org", key.orgId);
    const server = buildServer(deps, key, request, requestId);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(request);
    } finally {
      await server.close();
    }
  }, deps.onError);
}
