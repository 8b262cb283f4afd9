import { afterAll, beforeAll, expect, it } from "vitest";

import type { FakeOpenAIServer, HitServer, McpTestServer } from "@runnel/engine/testing";
import type { AgentResult, JsonValue } from "@runnel/nodes";
import { describeEachDriver } from "@runnel/db/testing";
import {
  seedCredential,
  startFakeOpenAI,
  startHitServer,
  startMcpTestServer,
} from "@runnel/engine/testing";

import type { EmbeddedEngine } from "../testing";
import { RUN_FLOW_BINDINGS, startEmbeddedEngine } from "../testing";
import { chatMessages, seedAgentFlow } from "./fixtures/agent-flows";

const TOKEN = "mcp-agent-SECRET";

/** The Agent node with an MCP tool: a real MCP server on loopback (official SDK) that counts calls. */
for (const runFlow of RUN_FLOW_BINDINGS)
  describeEachDriver(
    `agent node with an MCP tool (${runFlow})`,
    (suite) => {
      let engine: EmbeddedEngine;
      let hits: HitServer;
      let openai: FakeOpenAIServer;
      let open: McpTestServer;
      let guarded: McpTestServer;

      beforeAll(async () => {
        hits = await startHitServer();
        openai = await startFakeOpenAI();
        open = await startMcpTestServer();
        guarded = await startMcpTestServer({
          requireHeaders: { authorization: `Bearer ${TOKEN}` },
        });
        engine = await startEmbeddedEngine({
          handle: suite.handle,
          approvalRecheckMs: 1000,
          runFlow,
        });
      }, 120_000);

      afterAll(async () => {
        await engine.close();
        await openai.close();
        await open.close();
        await guarded.close();
        await hits.close();
      });

      async function runAgent(tool: Record<string, JsonValue>, credentialOrg?: "other") {
        let credentialId: string | undefined;
        if (credentialOrg === "other") {
          const other = await seedAgentFlow(suite.db, {
            masterKey: engine.services.masterKey,
            baseUrl: openai.baseUrl,
            hitsUrl: hits.url,
          });
          credentialId = await seedCredential(suite.db, {
            masterKey: engine.services.masterKey,
            orgId: other.orgId,
            type: "mcp",
            data: { bearerToken: TOKEN },
          });
        }
        const server = tool.server as Record<string, JsonValue>;
        const seeded = await seedAgentFlow(suite.db, {
          masterKey: engine.services.masterKey,
          baseUrl: openai.baseUrl,
          hitsUrl: hits.url,
          agent: {
            tools: [
              {
                ...tool,
                server: { ...server, ...(credentialId === undefined ? {} : { credentialId }) },
              },
            ],
          },
        });
        const { run } = await engine.start({
          orgId: seeded.orgId,
          versionId: seeded.versionId,
          input: { question: "2 + 40?" },
          trigger: { kind: "manual" },
        });
        return engine.waitForRun(seeded.orgId, run.id);
      }

      it("declares the server's tool to the model and runs each call once as a step", async () => {
        openai.enqueue(
          { toolCalls: [{ id: "call_sum", name: "sum", arguments: { a: 2, b: 40 } }] },
          { text: "The sum is 42." },
        );
        const before = open.calls("add");
        const requests = openai.requests.length;
        const run = await runAgent({
          kind: "mcp",
          name: "sum",
          tool: "add",
          server: { url: `${open.url}/mcp` },
        });
        expect(run.error).toBeNull();
        expect(run.status).toBe("succeeded");
        expect(open.calls("add")).toBe(before + 1);
        expect(openai.requests.length - requests).toBe(2);
        const first = openai.requests.at(-2);
        expect(JSON.stringify(first?.body.tools)).toContain("Adds two numbers");
        const output = run.output as AgentResult;
        expect(output.text).toBe("The sum is 42.");
        const toolMessage = chatMessages(openai.requests.at(-1)?.body ?? {}).find(
          (m) => m.role === "tool",
        );
        expect(JSON.stringify(toolMessage?.content)).toContain("42");
        expect(output.steps[1]).toMatchObject({
          kind: "tool",
          tool: "sum",
          arguments: { a: 2, b: 40 },
          result: { sum: 42 },
        });
      });

      it("refuses a credential of another org: the agent fails naming the tool, the server is never called", async () => {
        const before = guarded.calls("add");
        const run = await runAgent(
          { kind: "mcp", name: "sum", tool: "add", server: { url: `${guarded.url}/mcp` } },
          "other",
        );
        expect(run.status).toBe("failed");
        expect(run.error?.message).toMatch(/tool "sum": .*does not exist in this org/);
        expect(run.error?.message).not.toContain(TOKEN);
        expect(guarded.calls("add")).toBe(before);
      });
    },
    { drivers: ["pglite"] },
  );
