import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

export interface McpTestServer {
  /** Base URL: `${url}/mcp` (Streamable HTTP), `${url}/sse` (legacy SSE), `${url}/hang`, `${url}/garbage`. */
  url: string;
  /** tools/call requests that reached a tool, per tool name. */
  calls(tool: string): number;
  /** Headers of the last HTTP request (lower-case names). */
  lastHeaders(): Record<string, string | string[] | undefined>;
  close(): Promise<void>;
}

export interface McpTestServerOptions {
  /** Headers every request must carry (name → value); otherwise 401. */
  requireHeaders?: Record<string, string>;
}

/**
 * A real MCP server on 127.0.0.1 built with the official SDK, with tools `add` (a + b), `echo` (returns its
 * arguments) and `fail` (a tool error). `/mcp` speaks stateless Streamable HTTP, `/sse` + `/messages` the legacy
 * SSE transport; `/hang` accepts requests and never answers; `/garbage` answers HTML with status 200.
 */
export async function startMcpTestServer(
  options: McpTestServerOptions = {},
): Promise<McpTestServer> {
  const counts = new Map<string, number>();
  const sseSessions = new Map<string, SSEServerTransport>();
  const hanging = new Set<ServerResponse>();
  let lastHeaders: IncomingMessage["headers"] = {};
  const count = (tool: string) => counts.set(tool, (counts.get(tool) ?? 0) + 1);

  function buildServer(): McpServer {
    const server = new McpServer({ name: "runnel-test", version: "1.0.0" });
    server.registerTool(
      "add",
      {
        description: "Adds two numbers",
        inputSchema: { a: z.number(), b: z.number() },
        outputSchema: { sum: z.number() },
      },
      ({ a, b }) => {
        count("add");
        return {
          content: [{ type: "text", text: String(a + b) }],
          structuredContent: { sum: a + b },
        };
      },
    );
    server.registerTool(
      "echo",
      { description: "Returns its arguments", inputSchema: { message: z.string() } },
      (args) => {
        count("echo");
        return { content: [{ type: "text", text: JSON.stringify(args) }] };
      },
    );
    server.registerTool("fail", { description: "Always fails" }, () => {
      count("fail");
      return { content: [{ type: "text", text: "the tool failed on purpose" }], isError: true };
    });
    return server;
  }

  async function readJson(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    return text === "" ? undefined : (JSON.parse(text) as unknown);
  }

  const http = createServer((req, res) => {
    void (async () => {
      lastHeaders = req.headers;
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      for (const [name, value] of Object.entries(options.requireHeaders ?? {})) {
        if (req.headers[name.toLowerCase()] !== value) {
          res
            .writeHead(401, { "content-type": "application/json" })
            .end('{"error":"unauthorized"}');
          return;
        }
      }
      if (url.pathname === "/mcp") {
        if (req.method !== "POST") {
          res.writeHead(405, { allow: "POST" }).end();
          return;
        }
        const server = buildServer();
        const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
        res.on("close", () => {
          void transport.close();
          void server.close();
        });
        await server.connect(transport);
        await transport.handleRequest(req, res, await readJson(req));
        return;
      }
      if (url.pathname === "/sse" && req.method === "GET") {
        const transport = new SSEServerTransport("/messages", res);
        sseSessions.set(transport.sessionId, transport);
        res.on("close", () => sseSessions.delete(transport.sessionId));
        await buildServer().connect(transport);
        return;
      }
      if (url.pathname === "/messages" && req.method === "POST") {
        const transport = sseSessions.get(url.searchParams.get("sessionId") ?? "");
        if (!transport) {
          res.writeHead(404).end("unknown session");
          return;
        }
        await transport.handlePostMessage(req, res, await readJson(req));
        return;
      }
      if (url.pathname === "/hang") {
        hanging.add(res);
        return;
      }
      if (url.pathname === "/garbage") {
        res.writeHead(200, { "content-type": "text/html" }).end("<html>not mcp</html>");
        return;
      }
      res.writeHead(404).end();
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const address = http.address();
  if (address === null || typeof address === "string") throw new Error("no address");
  return {
    url: `http://127.0.0.1:${address.port}`,
    calls: (tool) => counts.get(tool) ?? 0,
    lastHeaders: () => lastHeaders,
    close: async () => {
      for (const res of hanging) res.destroy();
      for (const transport of sseSessions.values()) await transport.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
