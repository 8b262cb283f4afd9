import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { and, eq } from "@runnel/db";
import { auditLog, runs } from "@runnel/db/schema";

import type { LoopbackServer } from "../rest/serve.fixtures";
import type { EngineHarness } from "../router/runs.fixtures";
import { serveOnLoopback } from "../rest/serve.fixtures";
import { createEngineHarness, greetFlow, publishedFlow } from "../router/runs.fixtures";
import { createMcpHandler } from "./server";

let h: EngineHarness;
let server: LoopbackServer;
let ada: Awaited<ReturnType<EngineHarness["user"]>>;
let eve: Awaited<ReturnType<EngineHarness["user"]>>;
let adaKey: string;
let eveKey: string;

async function connect(key: string | null): Promise<Client> {
  const client = new Client({ name: "mcp-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/api/mcp`), {
    requestInit: key === null ? {} : { headers: { authorization: `Bearer ${key}` } },
  });
  await client.connect(transport);
  return client;
}

async function offer(
  user: typeof ada,
  name: string,
  definition: Parameters<typeof publishedFlow>[2],
  settings: { toolName?: string; description?: string } = {},
) {
  const flowId = await publishedFlow(user.caller, name, definition);
  await user.caller.deployments.publish({ flowId });
  return user.caller.deployments.setMcp({ flowId, enabled: true, ...settings });
}

function failingFlow(): Parameters<typeof publishedFlow>[2] {
  const flow = greetFlow();
  return {
    ...flow,
    nodes: flow.nodes.map((node) =>
      node.id === "shout"
        ? { ...node, config: { code: "throw new Error('the shout broke');" } }
        : node,
    ),
  };
}

beforeAll(async () => {
  h = await createEngineHarness();
  server = await serveOnLoopback(
    createMcpHandler({ db: h.db, engine: h.engine, callWaitMs: 30_000 }),
  );
  ada = await h.user("Ada");
  eve = await h.user("Eve");
  adaKey = (await ada.caller.apiKeys.create({ name: "mcp", scopes: ["mcp"] })).key;
  eveKey = (await eve.caller.apiKeys.create({ name: "eve" })).key;
  await offer(ada, "Greeter", greetFlow(), { description: "Greets someone loudly" });
  await offer(ada, "Breaker", failingFlow(), { toolName: "break_it" });
  // Deployed but not offered: never a tool.
  const hidden = await publishedFlow(ada.caller, "Hidden", greetFlow());
  await ada.caller.deployments.publish({ flowId: hidden });
  await offer(eve, "Eve's flow", greetFlow());
}, 120_000);

afterAll(async () => {
  await server.close();
  await h.close();
});

describe("the MCP endpoint /api/mcp", () => {
  it("lists the org's opted-in deployments as tools with their input schemas", async () => {
    const client = await connect(adaKey);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual(["break_it", "greeter"]);
      expect(tools.find((tool) => tool.name === "greeter")).toMatchObject({
        description: "Greets someone loudly",
        inputSchema: {
          type: "object",
          properties: { name: { type: "string" } },
          required: ["name"],
        },
      });
    } finally {
      await client.close();
    }
  });

  it("runs the flow on tools/call and answers with its output, structured and as JSON text", async () => {
    const client = await connect(adaKey);
    try {
      const result = await client.callTool({ name: "greeter", arguments: { name: "Ada" } });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toEqual({ loud: "HELLO ADA" });
      expect(result.content).toEqual([
        { type: "text", text: JSON.stringify({ loud: "HELLO ADA" }, null, 2) },
      ]);
      const [run] = await h.db
        .select({ status: runs.status, triggerInfo: runs.triggerInfo })
        .from(runs)
        .where(and(eq(runs.orgId, ada.orgId), eq(runs.status, "succeeded")));
      expect(run?.triggerInfo).toMatchObject({ via: "mcp" });
      const audited = await h.db
        .select({ metadata: auditLog.metadata })
        .from(auditLog)
        .where(and(eq(auditLog.orgId, ada.orgId), eq(auditLog.action, "run.started")));
      expect(audited.map((row) => row.metadata)).toContainEqual(
        expect.objectContaining({ trigger: "mcp" }),
      );
    } finally {
      await client.close();
    }
  });

  it("answers a failed run as isError with the run id and the error message", async () => {
    const client = await connect(adaKey);
    try {
      const result = await client.callTool({ name: "break_it", arguments: { name: "x" } });
      expect(result.isError).toBe(true);
      const [content] = result.content as { type: string; text: string }[];
      expect(content?.text).toMatch(/^Run \S+ failed at node shout: .*the shout broke/);
    } finally {
      await client.close();
    }
  });

  it("answers arguments that break the input schema with an error naming the field, starting nothing", async () => {
    const client = await connect(adaKey);
    try {
      const before = await h.db.select({ id: runs.id }).from(runs).where(eq(runs.orgId, ada.orgId));
      const result = await client.callTool({ name: "greeter", arguments: { name: 42 } });
      expect(result.isError).toBe(true);
      expect(JSON.stringify(result.content)).toMatch(/Invalid arguments for tool greeter: name: /);
      const missing = await client.callTool({ name: "greeter", arguments: {} });
      expect(JSON.stringify(missing.content)).toMatch(/name: /);
      const after = await h.db.select({ id: runs.id }).from(runs).where(eq(runs.orgId, ada.orgId));
      expect(after).toHaveLength(before.length);
      await expect(client.callTool({ name: "nope", arguments: {} })).rejects.toThrow(
        /No tool named "nope"/,
      );
    } finally {
      await client.close();
    }
  });

  it("refuses a missing or wrong key with 401", async () => {
    for (const key of [null, "rk_not_a_real_key_at_all"]) {
      const error = await connect(key).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StreamableHTTPError);
      expect((error as StreamableHTTPError).code).toBe(401);
    }
  });

  it("shows a key of another org only that org's tools, and cannot call the others", async () => {
    const client = await connect(eveKey);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual(["eve-s-flow"]);
      await expect(client.callTool({ name: "greeter", arguments: { name: "x" } })).rejects.toThrow(
        /No tool named "greeter"/,
      );
    } finally {
      await client.close();
    }
  });

  it("refuses a read-only key without the mcp scope with 403; an mcp-only key is refused by tRPC", async () => {
    const readOnly = (await ada.caller.apiKeys.create({ name: "reader", scopes: ["runs:read"] }))
      .key;
    const error = await connect(readOnly).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamableHTTPError);
    expect((error as StreamableHTTPError).code).toBe(403);
    expect((error as Error).message).toMatch(/needs mcp/);
    const mcpOnly = await h.caller({ apiKey: adaKey });
    await expect(mcpOnly.flows.list({ limit: 5 })).rejects.toThrow(/runs:read or runs:write/);
  });

  it("stops offering a deployment once it opts out", async () => {
    const deployments = await ada.caller.deployments.list();
    const breaker = deployments.find((d) => d.mcp?.toolName === "break_it");
    if (!breaker) throw new Error("no break_it deployment");
    await ada.caller.deployments.setMcp({ flowId: breaker.flowId, enabled: false });
    const client = await connect(adaKey);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual(["greeter"]);
    } finally {
      await client.close();
      await ada.caller.deployments.setMcp({
        flowId: breaker.flowId,
        enabled: true,
        toolName: "break_it",
      });
    }
  });
});
