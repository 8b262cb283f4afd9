import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { FlowDefinitionInput } from "@runnel/engine";
import type { FakeOpenAIServer } from "@runnel/engine/testing";
import { eq } from "@runnel/db";
import { runs } from "@runnel/db/schema";
import { seedCredential, startFakeOpenAI } from "@runnel/engine/testing";

import type { EngineHarness } from "./runs.fixtures";
import { failure } from "../../test/harness";
import { createEngineHarness, greetFlow, publishedFlow } from "./runs.fixtures";

let t: EngineHarness;
let openai: FakeOpenAIServer;

beforeAll(async () => {
  t = await createEngineHarness({ httpAllow: ["127.0.0.1"] });
  openai = await startFakeOpenAI();
}, 120_000);
afterAll(async () => {
  await openai.close();
  await t.close();
});

const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** manual trigger → llm_text answering with the fake OpenAI server. */
function askFlow(credential: string): FlowDefinitionInput {
  return {
    nodes: [
      { id: "start", type: "manual_trigger", version: 1, name: "Start", config: {} },
      {
        id: "ask",
        type: "llm_text",
        version: 1,
        name: "Ask",
        config: { credential, model: "gpt-4o-mini", prompt: "Say {{ trigger.word }}" },
      },
    ],
    edges: [
      { id: "start-ask", source: "start", sourcePort: "out", target: "ask", targetPort: "in" },
    ],
  };
}

describe("usage router", () => {
  it("counts runs by status, LLM tokens and cost per day and flow, every day of the window present", async () => {
    const ada = await t.user("Ada");
    const credential = await seedCredential(t.db, {
      masterKey: t.encryptionKey,
      orgId: ada.orgId,
      type: "openai",
      data: { apiKey: "sk-test", baseUrl: openai.baseUrl },
    });
    const askId = await publishedFlow(ada.caller, "Asker", askFlow(credential));
    const greetId = await publishedFlow(ada.caller, "Greeter", greetFlow());

    const asked: string[] = [];
    for (const usage of [
      { inputTokens: 12, outputTokens: 3 },
      { inputTokens: 20, outputTokens: 5 },
    ]) {
      openai.enqueue({ text: "an answer", usage });
      const run = await ada.caller.runs.start({ flowId: askId, input: { word: "hi" } });
      expect((await t.waitFor(ada.orgId, run.id)).status).toBe("succeeded");
      asked.push(run.id);
    }
    const greeted = await ada.caller.runs.start({ flowId: greetId, input: { name: "ada" } });
    const refused = await ada.caller.runs.start({ flowId: greetId, input: {} });
    expect((await t.waitFor(ada.orgId, greeted.id)).status).toBe("succeeded");
    expect((await t.waitFor(ada.orgId, refused.id)).status).toBe("failed");
    // One of the LLM runs happened three days ago.
    const threeDaysAgo = new Date(Date.now() - 3 * DAY_MS);
    await t.db
      .update(runs)
      .set({ createdAt: threeDaysAgo })
      .where(eq(runs.id, asked[0] ?? ""));

    const daily = await ada.caller.usage.daily();
    const today = isoDay(Date.now());
    expect(daily.to).toBe(today);
    expect(daily.from).toBe(isoDay(Date.now() - 29 * DAY_MS));
    expect(daily.days.map((day) => day.date)).toEqual(
      Array.from({ length: 30 }, (_, i) => isoDay(Date.now() - (29 - i) * DAY_MS)),
    );
    expect(daily.flows).toEqual([
      { id: askId, name: "Asker" },
      { id: greetId, name: "Greeter" },
    ]);
    const byDate = new Map(daily.days.map((day) => [day.date, day]));
    const now = byDate.get(today);
    expect(now?.flows[askId]).toMatchObject({
      runs: { total: 1, succeeded: 1, failed: 0 },
      tokens: { input: 20, output: 5, total: 25 },
    });
    expect(now?.flows[greetId]).toMatchObject({
      runs: { total: 2, succeeded: 1, failed: 1 },
      tokens: { input: 0, output: 0, total: 0 },
    });
    expect(now).toMatchObject({ runs: { total: 3 }, tokens: { total: 25 } });
    const earlier = byDate.get(isoDay(threeDaysAgo.getTime()));
    expect(earlier?.flows[askId]).toMatchObject({
      runs: { total: 1, succeeded: 1 },
      tokens: { input: 12, output: 3, total: 15 },
    });
    expect(earlier?.flows[greetId]?.runs.total).toBe(0);
    const quiet = daily.days.filter(
      (day) => day.date !== today && day.date !== isoDay(threeDaysAgo.getTime()),
    );
    expect(quiet).toHaveLength(28);
    for (const day of quiet) {
      expect(day.runs.total).toBe(0);
      expect(day.tokens.total).toBe(0);
      expect(day.flows[askId]?.runs.total).toBe(0);
    }

    const oneFlow = await ada.caller.usage.daily({ flowId: askId, from: today, to: today });
    expect(oneFlow.flows).toEqual([{ id: askId, name: "Asker" }]);
    expect(oneFlow.days).toHaveLength(1);
    expect(oneFlow.days[0]).toMatchObject({ runs: { total: 1 }, tokens: { total: 25 } });

    const summary = await ada.caller.usage.summary();
    expect(summary).toMatchObject({
      runs: { total: 4, succeeded: 3, failed: 1 },
      tokens: { input: 32, output: 8, total: 40 },
    });
    // gpt-4o-mini: $0.15 in, $0.60 out per million tokens, each call rounded to the micro-dollar
    // (12/3 tokens: $0.0000036 → $0.000004; 20/5: $0.000006); the Greeter's runs cost nothing.
    expect(summary.costUsd).toBeCloseTo(0.00001, 12);
    expect(now?.flows[askId]?.costUsd).toBeCloseTo((20 * 0.15 + 5 * 0.6) / 1_000_000, 12);
    expect(now?.flows[greetId]?.costUsd).toBe(0);
    expect(summary.byFlow.map((flow) => flow.id)).toEqual([askId, greetId]);

    // Another org sees none of it, and cannot name this org's flow.
    const bea = await t.user("Bea");
    const theirs = await bea.caller.usage.daily();
    expect(theirs.flows).toEqual([]);
    expect(theirs.days.every((day) => day.runs.total === 0)).toBe(true);
    expect((await failure(bea.caller.usage.daily({ flowId: askId }))).code).toBe("NOT_FOUND");

    // Viewers read usage.
    const viewer = await t.member(ada.orgId, bea.userId, "viewer");
    expect((await viewer.usage.summary()).runs.total).toBe(4);
  });

  it("checks the window: from after to, more than 366 days and bad dates are BAD_REQUEST on the field", async () => {
    const cy = await t.user("Cy");
    const backwards = await failure(
      cy.caller.usage.daily({ from: "2026-03-02", to: "2026-03-01" }),
    );
    expect(backwards.code).toBe("BAD_REQUEST");
    expect(backwards.fieldErrors?.from?.[0]).toContain("after");
    const tooLong = await failure(cy.caller.usage.daily({ from: "2025-01-01", to: "2026-01-02" }));
    expect(tooLong.code).toBe("BAD_REQUEST");
    expect(tooLong.fieldErrors?.from?.[0]).toContain("367 days");
    const longest = await cy.caller.usage.daily({ from: "2025-01-01", to: "2026-01-01" });
    expect(longest.days).toHaveLength(366);
    const onlyFrom = await cy.caller.usage.daily({ from: isoDay(Date.now() - 2 * DAY_MS) });
    expect(onlyFrom.days).toHaveLength(3);
    const bad = await failure(cy.caller.usage.daily({ from: "2026-02-30" }));
    expect(bad.code).toBe("BAD_REQUEST");
    expect(bad.fieldErrors?.from).toBeDefined();
  });
});
