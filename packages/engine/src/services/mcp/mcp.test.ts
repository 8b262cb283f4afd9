import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { DbHandle } from "@runnel/db";
import { applyMigrations, createDb } from "@runnel/db";

import type { McpTestServer } from "../../testing/mcp-server";
import { seedCredential, seedOrg } from "../../testing/credentials";
import { startMcpTestServer } from "../../testing/mcp-server";
import { createCredentialsService } from "../credentials/credentials";
import { createHttpService } from "../http/safe-fetch";
import { McpCallError } from "./errors";
import { createMcpService } from "./mcp";

const masterKey = randomBytes(32);
let handle: DbHandle;
let orgId: string;
let open: McpTestServer;
let guarded: McpTestServer;
const http = createHttpService({ allow: ["127.0.0.1"] });

function service(options: { callTimeoutMs?: number; connectTimeoutMs?: number } = {}) {
  return createMcpService({
    http,
    credentials: createCredentialsService({ db: handle.db, masterKey, orgId }),
    ...options,
  });
}

beforeAll(async () => {
  handle = await createDb();
  await applyMigrations(handle);
  orgId = await seedOrg(handle.db);
  open = await startMcpTestServer();
  guarded = await startMcpTestServer({
    requireHeaders: { authorization: "Bearer s3cret-token", "x-tenant": "acme" },
  });
}, 60_000);

afterAll(async () => {
  await open.close();
  await guarded.close();
  await http.close();
  await handle.close();
});

describe("MCP client", () => {
  it("lists and calls the tools of a Streamable HTTP server", async () => {
    const mcp = service();
    try {
      const server = { url: `${open.url}/mcp`, transport: "streamable-http" };
      const tools = await mcp.listTools(server);
      expect(tools.map((tool) => tool.name).sort()).toEqual(["add", "echo", "fail"]);
      const add = tools.find((tool) => tool.name === "add");
      expect(add?.description).toBe("Adds two numbers");
      expect(add?.inputSchema).toMatchObject({
        type: "object",
        properties: { a: { type: "number" }, b: { type: "number" } },
      });
      const before = open.calls("add");
      const result = await mcp.callTool(server, "add", { a: 2, b: 40 });
      expect(result).toEqual({
        content: [{ type: "text", text: "42" }],
        structuredContent: { sum: 42 },
        isError: false,
      });
      expect(open.calls("add")).toBe(before + 1);
    } finally {
      await mcp.close();
    }
  });

  it("speaks the legacy SSE transport, chosen or found by falling back", async () => {
    const mcp = service();
    try {
      const chosen = await mcp.callTool({ url: `${open.url}/sse`, transport: "sse" }, "echo", {
        message: "hi",
      });
      expect(chosen.content).toEqual([{ type: "text", text: '{"message":"hi"}' }]);
      // No transport given: the POST to /sse answers 404, so the client falls back to SSE.
      const tools = await mcp.listTools({ url: `${open.url}/sse` });
      expect(tools.map((tool) => tool.name)).toContain("echo");
    } finally {
      await mcp.close();
    }
  });

  it("reports a tool's own failure as isError and a protocol error naming the server", async () => {
    const mcp = service();
    try {
      const server = { url: `${open.url}/mcp` };
      expect(await mcp.callTool(server, "fail", {})).toMatchObject({ isError: true });
      const badArgs = await mcp.callTool(server, "add", { a: "two" });
      expect(badArgs.isError).toBe(true);
      expect(JSON.stringify(badArgs.content)).toContain("a");
      // The SDK's McpServer answers an unknown tool as a tool error, so a model can correct itself.
      const unknown = await mcp.callTool(server, "nope", {});
      expect(unknown.isError).toBe(true);
      expect(JSON.stringify(unknown.content)).toContain("nope");
    } finally {
      await mcp.close();
    }
  });

  it("sends the bearer token and headers of an mcp credential, and never shows them in errors", async () => {
    const credentialId = await seedCredential(handle.db, {
      masterKey,
      orgId,
      type: "mcp",
      data: { bearerToken: "s3cret-token", headers: '{"X-Tenant":"acme"}' },
    });
    const wrongId = await seedCredential(handle.db, {
      masterKey,
      orgId,
      type: "mcp",
      data: { bearerToken: "wrong-token", headers: '{"X-Tenant":"acme"}' },
    });
    const mcp = service();
    try {
      const tools = await mcp.listTools({ url: `${guarded.url}/mcp`, credentialId });
      expect(tools).toHaveLength(3);
      expect(guarded.lastHeaders()["x-tenant"]).toBe("acme");
      const refused = await mcp
        .listTools({ url: `${guarded.url}/mcp`, credentialId: wrongId })
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(McpCallError);
      const message = (refused as Error).message;
      expect(message).toContain(`${guarded.url}/mcp`);
      expect(message).toContain("401");
      expect(message).not.toContain("wrong-token");
      await expect(mcp.listTools({ url: `${guarded.url}/mcp` })).rejects.toThrow(/401/);
    } finally {
      await mcp.close();
    }
  });

  it("gives up on a server that hangs, naming it and the time waited", async () => {
    const mcp = service({ connectTimeoutMs: 300, callTimeoutMs: 300 });
    try {
      const started = Date.now();
      const error = await mcp
        .listTools({ url: `${open.url}/hang?token=abc` })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(McpCallError);
      expect((error as Error).message).toMatch(new RegExp(`MCP server ${open.url}/hang .*300 ms`));
      expect((error as Error).message).not.toContain("token=abc");
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await mcp.close();
    }
  });

  it("fails clearly on a server that answers something that is not MCP", async () => {
    const mcp = service({ connectTimeoutMs: 2_000 });
    try {
      await expect(mcp.listTools({ url: `${open.url}/garbage` })).rejects.toThrow(
        new RegExp(`MCP server ${open.url}/garbage.*content type`, "i"),
      );
    } finally {
      await mcp.close();
    }
  });

  it("fails clearly on a JSON answer that is not JSON-RPC", async () => {
    const junk = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end('{"hello":"world"}');
    });
    await new Promise<void>((resolve) => junk.listen(0, "127.0.0.1", resolve));
    const address = junk.address();
    if (address === null || typeof address === "string") throw new Error("no address");
    const mcp = service({ connectTimeoutMs: 2_000 });
    try {
      await expect(mcp.listTools({ url: `http://127.0.0.1:${address.port}/mcp` })).rejects.toThrow(
        new RegExp(`MCP server http://127.0.0.1:${address.port}/mcp`),
      );
    } finally {
      await mcp.close();
      junk.closeAllConnections();
      await new Promise<void>((resolve) => junk.close(() => resolve()));
    }
  });

  it("refuses a private address without an allow-list entry", async () => {
    const strict = createHttpService();
    const mcp = createMcpService({
      http: strict,
      credentials: createCredentialsService({ db: handle.db, masterKey, orgId }),
    });
    try {
      await expect(mcp.listTools({ url: `${open.url}/mcp` })).rejects.toThrow(
        /MCP server http:\/\/127\.0\.0\.1:\d+\/mcp.*(private|loopback|blocked)/i,
      );
    } finally {
      await mcp.close();
      await strict.close();
    }
  });

  it("refuses a stdio configuration and a non-http URL as validation errors", async () => {
    const mcp = service();
    await expect(
      mcp.listTools({ url: "http://127.0.0.1/mcp", command: "npx", args: ["some-server"] }),
    ).rejects.toThrow(/command: stdio MCP servers are not supported/);
    await expect(mcp.listTools({ url: "file:///etc/passwd" })).rejects.toThrow(
      /url: MCP server URL must be an http\(s\) URL/,
    );
    await mcp.close();
  });

  it("reuses one connection for calls to the same server and closes it when idle", async () => {
    const mcp = createMcpService({
      http,
      credentials: createCredentialsService({ db: handle.db, masterKey, orgId }),
      idleMs: 50,
    });
    try {
      const server = { url: `${open.url}/sse`, transport: "sse" };
      await mcp.callTool(server, "echo", { message: "1" });
      await mcp.callTool(server, "echo", { message: "2" });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await mcp.callTool(server, "echo", { message: "3" });
    } finally {
      await mcp.close();
    }
  });
});
