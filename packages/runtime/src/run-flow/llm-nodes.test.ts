import { afterAll, beforeAll, expect, it } from "vitest";

import type { FakeOpenAIServer, FakeReply } from "@runnel/engine/testing";
import { describeEachDriver } from "@runnel/db/testing";
import { getRunWithSteps } from "@runnel/engine";
import {
  flowOf,
  publishVersion,
  seedCredential,
  seedFlow,
  startFakeOpenAI,
} from "@runnel/engine/testing";

import type { EmbeddedEngine } from "../testing";
import { RUN_FLOW_BINDINGS, startEmbeddedEngine } from "../testing";

/**
 * LLM nodes inside a run, on both runFlow bindings, against the fake OpenAI server on loopback: the node's retries
 * honour the provider error's `retryable` (docs/ai.md, Errors and retries) and their cost is recorded.
 */
for (const runFlow of RUN_FLOW_BINDINGS)
  describeEachDriver(
    `LLM nodes in a run (${runFlow})`,
    (suite) => {
      let engine: EmbeddedEngine;
      let openai: FakeOpenAIServer;

      beforeAll(async () => {
        engine = await startEmbeddedEngine({ handle: suite.handle, runFlow });
        openai = await startFakeOpenAI({ apiKey: "sk-right" });
      }, 120_000);

      afterAll(async () => {
        await engine.close();
        await openai.close();
      });

      /** Runs one llm_text node (with `retries`) to its end; returns the run, its steps and the requests it made. */
      async function runAsk(options: { apiKey: string; retries: number; replies?: FakeReply[] }) {
        const seeded = await seedFlow(suite.db, flowOf([], []));
        const credential = await seedCredential(suite.db, {
          masterKey: engine.services.masterKey,
          orgId: seeded.orgId,
          type: "openai",
          data: { apiKey: options.apiKey, baseUrl: openai.baseUrl },
        });
        const version = await publishVersion(
          suite.db,
          seeded.orgId,
          seeded.flowId,
          flowOf(
            [
              {
                id: "ask",
                type: "llm_text",
                version: 1,
                name: "Ask",
                config: { credential, model: "gpt-4o-mini", prompt: "Say hi" },
                settings: { retries: options.retries, timeoutMs: 10_000, onError: "fail" },
              },
            ],
            [["start", "ask"]],
          ),
        );
        const before = openai.requests.length;
        openai.enqueue(...(options.replies ?? []));
        const { run } = await engine.start({
          orgId: seeded.orgId,
          versionId: version,
          input: {},
          trigger: { kind: "manual" },
        });
        const finished = await engine.waitForRun(seeded.orgId, run.id);
        const detail = await getRunWithSteps(suite.db, seeded.orgId, run.id);
        const steps = (detail?.steps ?? []).filter((step) => step.nodeId === "ask");
        return { run: finished, steps, requests: openai.requests.length - before };
      }

      it("does not retry a node the provider rejects with 401, whatever its retries", async () => {
        const { run, steps, requests } = await runAsk({ apiKey: "sk-wrong", retries: 3 });
        expect(requests).toBe(1);
        expect(steps.map((s) => [s.attempt, s.status])).toEqual([[0, "failed"]]);
        expect(run.status).toBe("failed");
        expect(run.error?.message).toMatch(/OpenAI model gpt-4o-mini: .*status 401/);
        expect(run.error?.message).not.toContain("sk-wrong");
        expect(run.error).toMatchObject({ name: "AiCallError", nodeId: "ask", retryable: false });
      });

      it("retries a node whose provider failed with 500 after the call's own retries", async () => {
        const failure: FakeReply = { error: { status: 500, message: "overloaded", retryAfter: 0 } };
        const { run, steps, requests } = await runAsk({
          apiKey: "sk-right",
          retries: 1,
          // The AI SDK tries three times within the first attempt; the node's retry then succeeds.
          replies: [
            failure,
            failure,
            failure,
            { text: "hi", usage: { inputTokens: 5, outputTokens: 1 } },
          ],
        });
        expect(requests).toBe(4);
        expect(steps.map((s) => [s.attempt, s.status])).toEqual([
          [0, "failed"],
          [1, "succeeded"],
        ]);
        expect(run.status).toBe("succeeded");
      });

      it("records the call's cost from the price table on its step and the run", async () => {
        const { run, steps } = await runAsk({
          apiKey: "sk-right",
          retries: 0,
          replies: [{ text: "hi", usage: { inputTokens: 1000, outputTokens: 500 } }],
        });
        // gpt-4o-mini: $0.15 in, $0.60 out per million tokens.
        const expected = (1000 * 0.15 + 500 * 0.6) / 1_000_000;
        expect(run.costUsd).toBeCloseTo(expected, 12);
        expect(steps[0]?.costUsd).toBeCloseTo(expected, 12);
        expect(steps[0]?.output).toMatchObject({ usage: { costUsd: expected } });
      });
    },
    { drivers: ["pglite", "pg"] },
  );
