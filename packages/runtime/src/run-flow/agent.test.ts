import { afterAll, beforeAll, expect, it } from "vitest";

import type { FakeOpenAIServer, HitServer } from "@runnel/engine/testing";
import type { AgentResult, AgentStep } from "@runnel/nodes";
import { describeEachDriver } from "@runnel/db/testing";
import { getRunWithSteps, listApprovals, listRuns } from "@runnel/engine";
import { startFakeAnthropic, startFakeOpenAI, startHitServer } from "@runnel/engine/testing";

import type { EmbeddedEngine } from "../testing";
import type { AgentFlowOptions } from "./fixtures/agent-flows";
import { RUN_FLOW_BINDINGS, startEmbeddedEngine } from "../testing";
import { chatMessages, scriptedAgentReply, seedAgentFlow } from "./fixtures/agent-flows";

/**
 * The Agent node end to end on both step bindings: the model is a fake OpenAI-compatible (or Anthropic) server on
 * loopback, the HTTP tool calls a local server that counts hits, and the flow tool runs a published child flow.
 */
for (const runFlow of RUN_FLOW_BINDINGS)
  describeEachDriver(
    `agent node (${runFlow})`,
    (suite) => {
      let engine: EmbeddedEngine;
      let server: HitServer;
      let openai: FakeOpenAIServer;

      beforeAll(async () => {
        server = await startHitServer();
        openai = await startFakeOpenAI();
        engine = await startEmbeddedEngine({
          handle: suite.handle,
          approvalRecheckMs: 1000,
          runFlow,
        });
      }, 120_000);

      afterAll(async () => {
        await engine.close();
        await openai.close();
        await server.close();
      });

      async function start(
        options: Partial<AgentFlowOptions> = {},
        question = "What is 21 doubled?",
      ) {
        const seeded = await seedAgentFlow(suite.db, {
          masterKey: engine.services.masterKey,
          baseUrl: openai.baseUrl,
          hitsUrl: server.url,
          ...options,
        });
        const { run } = await engine.start({
          orgId: seeded.orgId,
          versionId: seeded.versionId,
          input: { question },
          trigger: { kind: "manual" },
        });
        return { ...seeded, runId: run.id };
      }

      async function finish(orgId: string, runId: string) {
        const run = await engine.waitForRun(orgId, runId);
        const detail = await getRunWithSteps(suite.db, orgId, runId);
        const step = detail?.steps.find((s) => s.nodeId === "agent");
        return { run, step, output: run.output as AgentResult | null };
      }

      it("answers after a flow tool call and an HTTP tool call, each run once, with the trace and usage", async () => {
        const before = openai.requests.length;
        const reply = scriptedAgentReply(`two-${runFlow}`);
        for (let turn = 0; turn < 3; turn++)
          openai.enqueue(
            reply({
              body: {
                messages: Array.from({ length: turn }, () => ({ role: "tool" })),
              },
            }),
          );
        const { orgId, runId, childFlowId } = await start();
        const { run, step, output } = await finish(orgId, runId);
        expect(run.error).toBeNull();
        expect(run.status).toBe("succeeded");
        expect(output?.text).toBe("The answer is 42.");
        expect(output?.finishReason).toBe("stop");
        expect(openai.requests.length - before).toBe(3);
        expect(server.hits(`/count/lookup-two-${runFlow}`)).toBe(1);

        const trace = output?.steps ?? [];
        expect(trace.map((s) => [s.index, s.kind, s.kind === "tool" ? s.tool : null])).toEqual([
          [0, "model", null],
          [1, "tool", "double"],
          [2, "model", null],
          [3, "tool", "lookup"],
          [4, "model", null],
        ]);
        expect(trace[1]).toMatchObject({ arguments: { n: 21 }, result: { n: 42 } });
        expect(trace[3]).toMatchObject({
          arguments: { key: `two-${runFlow}` },
          result: { status: 200, body: { path: `/count/lookup-two-${runFlow}`, count: 1 } },
        });
        const children = (await listRuns(suite.db, orgId, { flowId: childFlowId })).filter(
          (r) => r.parentRunId === runId,
        );
        expect(children.map((r) => [r.status, r.triggerKind])).toEqual([["succeeded", "subflow"]]);

        // The history goes back to the model: the last request carries both tool results.
        const last = openai.requests.at(-1);
        expect(last?.system).toBe("Use the tools.");
        const toolMessages = chatMessages(last?.body ?? {}).filter((m) => m.role === "tool");
        expect(toolMessages.map((m) => m.tool_call_id)).toEqual(["call_double", "call_lookup"]);
        expect(JSON.stringify(last?.body.tools)).toContain("Doubles a number");

        const usage = output?.usage;
        const modelSteps = trace.filter(
          (s): s is Extract<AgentStep, { kind: "model" }> => s.kind === "model",
        );
        const summed = modelSteps.reduce((sum, s) => sum + s.usage.inputTokens, 0);
        expect(usage?.inputTokens).toBe(summed);
        expect([step?.tokensIn, step?.tokensOut]).toEqual([
          usage?.inputTokens,
          usage?.outputTokens,
        ]);
        expect([run.tokensIn, run.tokensOut]).toEqual([usage?.inputTokens, usage?.outputTokens]);
      });

      it("answers with an object matching the output schema", async () => {
        openai.enqueue({ text: JSON.stringify({ answer: 42, unit: "none" }) });
        const { orgId, runId } = await start({
          agent: {
            output: "structured",
            schema: {
              type: "object",
              properties: { answer: { type: "number" }, unit: { type: "string" } },
              required: ["answer", "unit"],
            },
          },
        });
        const { run, output } = await finish(orgId, runId);
        expect(run.error).toBeNull();
        expect(output?.object).toEqual({ answer: 42, unit: "none" });
        expect(output?.text).toBeUndefined();
        const body = openai.requests.at(-1)?.body;
        expect(JSON.stringify(body?.response_format)).toContain("json_schema");
      });

      it("tells the model about an unknown tool and bad arguments, and lets it correct itself", async () => {
        openai.enqueue(
          { toolCalls: [{ id: "call_x", name: "launch_rockets", arguments: {} }] },
          { toolCalls: [{ id: "call_bad", name: "double", arguments: { n: "lots" } }] },
          { toolCalls: [{ id: "call_ok", name: "double", arguments: { n: 2 } }] },
          "It is 4.",
        );
        const { orgId, runId } = await start();
        const { run, output } = await finish(orgId, runId);
        expect(run.status).toBe("succeeded");
        expect(output?.text).toBe("It is 4.");
        const tools = (output?.steps ?? []).filter(
          (s): s is Extract<AgentStep, { kind: "tool" }> => s.kind === "tool",
        );
        expect(tools[0]?.error).toBe(
          'There is no tool "launch_rockets". Available tools: double, lookup.',
        );
        expect(tools[1]?.error).toMatch(/^Invalid arguments for tool "double": n: /);
        expect(tools[2]).toMatchObject({ result: { n: 4 } });
        const fed = chatMessages(openai.requests.at(-1)?.body ?? {}).filter(
          (m) => m.role === "tool",
        );
        expect(String(fed[0]?.content)).toContain("There is no tool");
        expect(String(fed[0]?.content)).toContain("launch_rockets");
      });

      it("runs a code tool in the sandbox with the arguments as input", async () => {
        openai.enqueue(
          { toolCalls: [{ id: "call_sum", name: "sum", arguments: { values: [1, 2, 39] } }] },
          "The sum is 42.",
        );
        const { orgId, runId } = await start({
          agent: {
            tools: [
              {
                kind: "code",
                name: "sum",
                description: "Adds numbers",
                code: "return { total: input.values.reduce((a, b) => a + b, 0) };",
                parameters: {
                  type: "object",
                  properties: { values: { type: "array", items: { type: "number" } } },
                  required: ["values"],
                },
              },
            ],
          },
        });
        const { run, output } = await finish(orgId, runId);
        expect(run.error).toBeNull();
        expect(output?.steps[1]).toMatchObject({
          kind: "tool",
          tool: "sum",
          result: { total: 42 },
        });
        const fed = chatMessages(openai.requests.at(-1)?.body ?? {}).find((m) => m.role === "tool");
        expect(String(fed?.content)).toContain('"total":42');
      });

      it("fails the node when the model still calls tools after maxSteps", async () => {
        openai.enqueue(
          { toolCalls: [{ id: "c1", name: "double", arguments: { n: 1 } }] },
          { toolCalls: [{ id: "c2", name: "double", arguments: { n: 2 } }] },
        );
        const { orgId, runId } = await start({ agent: { maxSteps: 2 } });
        const { run, step } = await finish(orgId, runId);
        expect(run.status).toBe("failed");
        expect(run.failedNodeId).toBe("agent");
        expect(run.error?.message).toMatch(
          /^the agent reached maxSteps \(2\) and the model still wanted to call tools/,
        );
        expect(step?.error).toMatchObject({ name: "AgentMaxStepsError" });
        // The trace so far stays with the error: both model calls and the one tool call that ran.
        const failedTrace = (step?.error as { steps?: AgentStep[] } | null)?.steps ?? [];
        expect(failedTrace.map((s) => s.kind)).toEqual(["model", "tool", "model"]);
      });

      it("fails at once on a 401, without retrying the call or the step", async () => {
        const before = openai.requests.length;
        openai.enqueue({
          error: { status: 401, message: "Incorrect API key provided: sk-agent-test-key" },
        });
        const { orgId, runId } = await start({ settings: { retries: 3 } });
        const { run } = await finish(orgId, runId);
        expect(run.status).toBe("failed");
        expect(openai.requests.length - before).toBe(1);
        expect(run.error?.message).toMatch(/the provider rejected the credential \(status 401\)/);
        expect(run.error?.message).not.toContain("sk-agent-test-key");
      });

      it("retries a 429 and goes on", async () => {
        const before = openai.requests.length;
        openai.enqueue({ error: { status: 429, message: "Slow down", retryAfter: 0 } }, "Fine.");
        const { orgId, runId } = await start();
        const { run, output } = await finish(orgId, runId);
        expect(run.status).toBe("succeeded");
        expect(output?.text).toBe("Fine.");
        expect(openai.requests.length - before).toBe(2);
      });

      async function awaitApproval(orgId: string, runId: string) {
        await engine.waitForRun(orgId, runId, "waiting");
        const [approval] = await listApprovals(suite.db, orgId, { runId });
        if (!approval) throw new Error("no approval was requested");
        return approval;
      }

      const gated = { lookup: { requireApproval: true } };

      it("stops before a gated tool call and runs it once approved", async () => {
        const key = `approve-${runFlow}`;
        openai.enqueue(
          { toolCalls: [{ id: "call_g", name: "lookup", arguments: { key } }] },
          "Done.",
        );
        const { orgId, runId } = await start({ toolOverrides: gated });
        const approval = await awaitApproval(orgId, runId);
        expect(approval.data).toMatchObject({ tool: "lookup", arguments: { key } });
        expect(approval.nodeId).toBe("agent:agent:0:tool:call_g");
        expect(server.hits(`/count/lookup-${key}`)).toBe(0);
        await engine.decide(orgId, approval.id, "approved");
        const { run, output } = await finish(orgId, runId);
        expect(run.status).toBe("succeeded");
        expect(server.hits(`/count/lookup-${key}`)).toBe(1);
        expect(output?.steps[1]).toMatchObject({
          kind: "tool",
          result: { status: 200 },
          approval: { decision: "approved", editedArguments: false },
        });
      });

      it("tells the model a rejected call was not run, and continues", async () => {
        const key = `reject-${runFlow}`;
        openai.enqueue(
          { toolCalls: [{ id: "call_r", name: "lookup", arguments: { key } }] },
          "Understood, I will not look it up.",
        );
        const { orgId, runId } = await start({ toolOverrides: gated });
        const approval = await awaitApproval(orgId, runId);
        await engine.decide(orgId, approval.id, "rejected", { comment: "no" });
        const { run, output } = await finish(orgId, runId);
        expect(run.status).toBe("succeeded");
        expect(server.hits(`/count/lookup-${key}`)).toBe(0);
        expect(output?.steps[1]).toMatchObject({
          error: "The user rejected this call; it was not run.",
          approval: { decision: "rejected", comment: "no" },
        });
        const fed = chatMessages(openai.requests.at(-1)?.body ?? {}).find((m) => m.role === "tool");
        expect(String(fed?.content)).toContain("The user rejected this call");
      });

      it("runs an approved call with the arguments the approver edited", async () => {
        const anthropic = await startFakeAnthropic();
        try {
          const asked = `asked-${runFlow}`;
          const edited = `edited-${runFlow}`;
          anthropic.enqueue(
            { toolCalls: [{ id: "toolu_1", name: "lookup", arguments: { key: asked } }] },
            "Looked it up.",
          );
          const { orgId, runId } = await start({
            toolOverrides: gated,
            credentialType: "anthropic",
            baseUrl: anthropic.baseUrl,
          });
          const approval = await awaitApproval(orgId, runId);
          await engine.decide(orgId, approval.id, "approved", {
            formData: { arguments: { key: edited } },
          });
          const { run, output } = await finish(orgId, runId);
          expect(run.status).toBe("succeeded");
          expect(server.hits(`/count/lookup-${asked}`)).toBe(0);
          expect(server.hits(`/count/lookup-${edited}`)).toBe(1);
          expect(output?.steps[1]).toMatchObject({
            arguments: { key: edited },
            approval: { decision: "approved", editedArguments: true },
          });
          expect(anthropic.requests).toHaveLength(2);
        } finally {
          await anthropic.close();
        }
      });
    },
    { drivers: ["pglite"] },
  );
