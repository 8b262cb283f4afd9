import { afterAll, beforeAll, expect, it } from "vitest";

import type { FlowDefinitionInput } from "@runnel/engine";
import type { HitServer } from "@runnel/engine/testing";
import type { JsonValue } from "@runnel/nodes";
import { eq } from "@runnel/db";
import { runJournal } from "@runnel/db/schema";
import { describeEachDriver } from "@runnel/db/testing";
import {
  createRun,
  getRunWithSteps,
  listApprovals,
  listRunEvents,
  listRuns,
  RUN_REQUESTED_EVENT,
} from "@runnel/engine";
import {
  addFlow,
  flowOf,
  publishVersion,
  seedCredential,
  seedFlow,
  startFakeOpenAI,
  startHitServer,
} from "@runnel/engine/testing";

import type { EmbeddedEngine } from "../testing";
import { RUN_FLOW_BINDINGS, startEmbeddedEngine } from "../testing";

/**
 * runFlow end to end, on both bindings of its step interface — the direct driver, and the local executor running
 * the function through inngest/edge in-process — on PGlite and (with TEST_DATABASE_URL) on the Postgres server; the
 * HTTP node calls a local server that counts side effects.
 */
for (const runFlow of RUN_FLOW_BINDINGS)
  describeEachDriver(
    `runFlow (${runFlow})`,
    (suite) => {
      let engine: EmbeddedEngine;
      let server: HitServer;

      beforeAll(async () => {
        server = await startHitServer();
        engine = await startEmbeddedEngine({
          handle: suite.handle,
          approvalRecheckMs: 1000,
          runFlow,
        });
      }, 120_000);

      /**
       * Waits until what drives the run has let it go: the run's journal is deleted (direct), or the executor's run
       * ended, which is returned (sdk).
       */
      async function released(runId: string) {
        if (runFlow === "direct") {
          await expect
            .poll(() => suite.db.select().from(runJournal).where(eq(runJournal.runId, runId)), {
              timeout: 10_000,
            })
            .toEqual([]);
          return undefined;
        }
        const [executorRun] = await engine.executor.runsForEvent(`run-${runId}`);
        return engine.executor.waitForRun(executorRun?.id ?? "", { timeoutMs: 20_000 });
      }

      afterAll(async () => {
        await engine.close();
        await server.close();
      });

      async function runToEnd(definition: FlowDefinitionInput, input: unknown = {}) {
        const seeded = await seedFlow(suite.db, definition);
        const { run } = await engine.start({
          orgId: seeded.orgId,
          versionId: seeded.flowVersionId,
          input,
          trigger: { kind: "manual" },
        });
        const finished = await engine.waitForRun(seeded.orgId, run.id);
        const detail = await getRunWithSteps(suite.db, seeded.orgId, run.id);
        if (!detail) throw new Error("run vanished");
        const byNode = (nodeId: string) => detail.steps.filter((step) => step.nodeId === nodeId);
        return { seeded, run: finished, steps: detail.steps, byNode };
      }

      const http = (id: string, path: string, settings: Record<string, unknown> = {}) => ({
        id,
        type: "http_request",
        version: 1,
        name: id,
        config: { url: `${server.url}${path}` },
        settings: { retries: 0, timeoutMs: 10_000, onError: "fail" as const, ...settings },
      });
      const set = (id: string, fields: Record<string, JsonValue>) => ({
        id,
        type: "set",
        version: 1,
        name: id,
        config: {
          keep: "none",
          fields: Object.entries(fields).map(([name, value]) => ({ name, value })),
        },
      });

      it("fires only the returned branch, skips the other and what hangs off it, and merges the live inputs", async () => {
        const definition = flowOf(
          [
            {
              id: "check",
              type: "if",
              version: 1,
              name: "Big?",
              config: { condition: "{{ trigger.amount > 100 }}" },
            },
            set("big", { label: "big" }),
            set("big_more", { label: "{{ nodes.big.label + '!' }}" }),
            set("small", { label: "small" }),
            set("small_more", { label: "small!" }),
            { id: "join", type: "merge", version: 1, name: "Join", config: { mode: "object" } },
          ],
          [
            ["start", "check"],
            ["check", "big", "true"],
            ["big", "big_more"],
            ["check", "small", "false"],
            ["small", "small_more"],
            ["big_more", "join"],
            ["small_more", "join"],
          ],
        );
        const runOfBig = await runToEnd(definition, { amount: 500 });
        const { run, byNode } = runOfBig;
        expect(run.status).toBe("succeeded");
        expect(run.output).toEqual({ big_more: { label: "big!" } });
        expect(byNode("small").map((s) => s.status)).toEqual(["skipped"]);
        expect(byNode("small_more").map((s) => s.status)).toEqual(["skipped"]);
        expect(byNode("join").map((s) => s.status)).toEqual(["succeeded"]);
        expect(byNode("check")[0]?.output).toEqual({ amount: 500 });

        const events = await listRunEvents(suite.db, runOfBig.seeded.orgId, run.id);
        const types = events.map(
          (event) => `${event.type}${event.nodeId ? `:${event.nodeId}` : ""}`,
        );
        expect(types[0]).toBe("run.queued");
        expect(types).toContain("step.skipped:small_more");
        expect(types.indexOf("step.succeeded:check")).toBeLessThan(
          types.indexOf("step.started:big"),
        );
        expect(types.at(-1)).toBe("run.succeeded");
        expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));

        const other = await runToEnd(definition, { amount: 5 });
        expect(other.run.output).toEqual({ small_more: { label: "small!" } });
        expect(other.byNode("big_more").map((s) => s.status)).toEqual(["skipped"]);
      });

      it("publishes the run's events live on the bus as they are committed", async () => {
        const seeded = await seedFlow(
          suite.db,
          flowOf(
            [set("a", { x: 1 }), set("b", { y: 2 })],
            [
              ["start", "a"],
              ["a", "b"],
            ],
          ),
        );
        const { run } = await engine.start({
          orgId: seeded.orgId,
          versionId: seeded.flowVersionId,
          input: {},
          trigger: { kind: "manual" },
        });
        // Polling is slower than the test timeout: the stream ends only because runFlow published the events.
        const seen: string[] = [];
        for await (const event of engine.bus.subscribe(seeded.orgId, run.id, {
          pollIntervalMs: 600_000,
        }))
          seen.push(`${event.type}${event.nodeId ? `:${event.nodeId}` : ""}`);
        expect(seen).toEqual([
          "run.queued",
          "run.running",
          "step.started:start",
          "step.succeeded:start",
          "step.started:a",
          "step.succeeded:a",
          "step.started:b",
          "step.succeeded:b",
          "run.succeeded",
        ]);
      });

      it("shows a slow node as running while it runs; a fast node's start commits with its outcome", async () => {
        const seeded = await seedFlow(
          suite.db,
          flowOf(
            [http("slow", "/slow/running-record?ms=1500"), set("after", { done: true })],
            [
              ["start", "slow"],
              ["slow", "after"],
            ],
          ),
        );
        const { run } = await engine.start({
          orgId: seeded.orgId,
          versionId: seeded.flowVersionId,
          input: {},
          trigger: { kind: "manual" },
        });
        let seenRunning = false;
        for (let tries = 0; tries < 200 && !seenRunning; tries++) {
          const detail = await getRunWithSteps(suite.db, seeded.orgId, run.id);
          seenRunning =
            detail?.steps.some((s) => s.nodeId === "slow" && s.status === "running") ?? false;
          if (detail?.run.status === "succeeded") break;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        expect(seenRunning).toBe(true);
        expect((await engine.waitForRun(seeded.orgId, run.id)).status).toBe("succeeded");

        const events = await listRunEvents(suite.db, seeded.orgId, run.id);
        const seqOf = (type: string, nodeId: string) =>
          events.find((event) => event.type === type && event.nodeId === nodeId)?.seq ?? -1;
        expect(seqOf("step.started", "slow")).toBeGreaterThan(0);
        expect(seqOf("step.succeeded", "slow")).toBeGreaterThan(seqOf("step.started", "slow"));
        expect(seqOf("step.succeeded", "after")).toBe(seqOf("step.started", "after") + 1);
        const slowDone = events.find((e) => e.type === "step.succeeded" && e.nodeId === "slow");
        expect((slowDone?.payload as { durationMs: number }).durationMs).toBeGreaterThanOrEqual(
          1400,
        );
      });

      it("runs independent branches in parallel: two 300 ms requests overlap", async () => {
        const definition = flowOf(
          [
            http("left", "/slow/left?ms=300"),
            http("right", "/slow/right?ms=300"),
            { id: "join", type: "merge", version: 1, name: "Join", config: {} },
          ],
          [
            ["start", "left"],
            ["start", "right"],
            ["left", "join"],
            ["right", "join"],
          ],
        );
        const began = Date.now();
        const { run } = await runToEnd(definition);
        const elapsed = Date.now() - began;
        expect(run.status).toBe("succeeded");
        const [left] = server.spans("/slow/left");
        const [right] = server.spans("/slow/right");
        if (!left || !right) throw new Error("both branches should have called the server");
        // Both requests were open at the same time, so the two 300 ms branches took well under 2 × 300 ms.
        expect(Math.max(left[1], right[1]) - Math.min(left[0], right[0])).toBeLessThan(500);
        expect(left[0]).toBeLessThan(right[1]);
        expect(right[0]).toBeLessThan(left[1]);
        console.info(`parallel branches: run took ${elapsed} ms end to end (${suite.driver})`);
      });

      it("retries a node with its own retry count, then succeeds", async () => {
        const { run, byNode } = await runToEnd(
          flowOf([http("flaky", "/flaky/a?fail=2", { retries: 2 })], [["start", "flaky"]]),
        );
        expect(run.status).toBe("succeeded");
        expect(server.hits("/flaky/a")).toBe(3);
        expect(byNode("flaky").map((s) => [s.attempt, s.status])).toEqual([
          [0, "failed"],
          [1, "failed"],
          [2, "succeeded"],
        ]);
      });

      it("fails the run at the node whose retries are used up", async () => {
        const { run, byNode } = await runToEnd(
          flowOf(
            [http("flaky", "/flaky/b?fail=5", { retries: 1 }), set("after", { x: 1 })],
            [
              ["start", "flaky"],
              ["flaky", "after"],
            ],
          ),
        );
        expect(run.status).toBe("failed");
        expect(run.failedNodeId).toBe("flaky");
        expect(run.error?.message).toMatch(/500/);
        expect(server.hits("/flaky/b")).toBe(2);
        expect(byNode("after")).toEqual([]);
      });

      it("routes a failure to the error port, or continues with the error as output", async () => {
        const routed = await runToEnd(
          flowOf(
            [
              http("call", "/fail/x", { onError: "error_port" }),
              set("handled", { message: "{{ nodes.call.error.message }}" }),
              set("fine", { ok: true }),
            ],
            [
              ["start", "call"],
              ["call", "handled", "error"],
              ["call", "fine"],
            ],
          ),
        );
        expect(routed.run.status).toBe("succeeded");
        expect(routed.run.output).toEqual({ message: expect.stringMatching(/500/) as unknown });
        expect(routed.byNode("fine").map((s) => s.status)).toEqual(["skipped"]);

        const continued = await runToEnd(
          flowOf([http("call", "/fail/y", { onError: "continue" })], [["start", "call"]]),
        );
        expect(continued.run.status).toBe("succeeded");
        expect(continued.run.output).toMatchObject({
          error: { name: expect.any(String) as unknown, attempts: 1 },
        });
      });

      it("fails a node that runs past its timeout", async () => {
        const { run } = await runToEnd(
          flowOf([http("slow", "/slow/t?ms=2000", { timeoutMs: 200 })], [["start", "slow"]]),
        );
        expect(run.status).toBe("failed");
        expect(run.error?.message).toMatch(/timed out after 200 ms/);
      });

      const approvalFlow = (timeout = { amount: 1, unit: "hours" }) =>
        flowOf(
          [
            {
              id: "ask",
              type: "approval",
              version: 1,
              name: "Ask",
              config: { assignees: ["boss"], message: "Ship it?", timeout },
            },
            set("yes", { decision: "{{ nodes.ask.decision }}" }),
            set("no", { decision: "{{ nodes.ask.decision }}", comment: "{{ nodes.ask.comment }}" }),
            set("late", { decision: "{{ nodes.ask.decision }}" }),
          ],
          [
            ["start", "ask"],
            ["ask", "yes", "approved"],
            ["ask", "no", "rejected"],
            ["ask", "late", "timeout"],
          ],
        );

      async function startAndAwaitApproval(definition: FlowDefinitionInput) {
        const seeded = await seedFlow(suite.db, definition);
        const { run } = await engine.start({
          orgId: seeded.orgId,
          versionId: seeded.flowVersionId,
          input: { n: 1 },
          trigger: { kind: "manual" },
        });
        await engine.waitForRun(seeded.orgId, run.id, "waiting");
        const [approval] = await listApprovals(suite.db, seeded.orgId, { runId: run.id });
        if (!approval) throw new Error("no approval was requested");
        return { seeded, run, approval };
      }

      it("waits for an approval and continues on approved", async () => {
        const { seeded, run, approval } = await startAndAwaitApproval(approvalFlow());
        expect(approval.status).toBe("pending");
        // The node sends its input as the data under review when no `data` is configured.
        expect(approval.data).toEqual({ n: 1 });
        await engine.decide(seeded.orgId, approval.id, "approved");
        const finished = await engine.waitForRun(seeded.orgId, run.id);
        expect(finished.status).toBe("succeeded");
        expect(finished.output).toEqual({ decision: "approved" });
      });

      it("continues on rejected with the comment", async () => {
        const { seeded, run, approval } = await startAndAwaitApproval(approvalFlow());
        await engine.decide(seeded.orgId, approval.id, "rejected", { comment: "not yet" });
        const finished = await engine.waitForRun(seeded.orgId, run.id);
        expect(finished.output).toEqual({ decision: "rejected", comment: "not yet" });
      });

      it("routes an approval without a decision to timeout", async () => {
        const { seeded, run, approval } = await startAndAwaitApproval(
          approvalFlow({ amount: 1, unit: "seconds" }),
        );
        const finished = await engine.waitForRun(seeded.orgId, run.id);
        expect(finished.output).toEqual({ decision: "timeout" });
        const [after] = await listApprovals(suite.db, seeded.orgId, { runId: run.id });
        expect(after?.id).toBe(approval.id);
        expect(after?.status).toBe("timed_out");
      });

      it("runs a sub-flow as a child run and continues with its output", async () => {
        const seeded = await seedFlow(
          suite.db,
          flowOf(
            [
              {
                id: "call",
                type: "sub_flow",
                version: 1,
                name: "Call",
                config: { flowId: "placeholder" },
              },
            ],
            [["start", "call"]],
          ),
        );
        const child = await addFlow(
          suite.db,
          seeded.orgId,
          flowOf([set("double", { n: "{{ trigger.n * 2 }}" })], [["start", "double"]]),
        );
        const parentVersion = await publishVersion(
          suite.db,
          seeded.orgId,
          seeded.flowId,
          flowOf(
            [
              {
                id: "call",
                type: "sub_flow",
                version: 1,
                name: "Call",
                config: { flowId: child.flowId, input: "{{ trigger }}" },
              },
            ],
            [["start", "call"]],
          ),
        );
        const { run } = await engine.start({
          orgId: seeded.orgId,
          versionId: parentVersion,
          input: { n: 21 },
          trigger: { kind: "manual" },
        });
        const finished = await engine.waitForRun(seeded.orgId, run.id);
        expect(finished.status).toBe("succeeded");
        expect(finished.output).toEqual({ n: 42 });
        const children = (await listRuns(suite.db, seeded.orgId, { flowId: child.flowId })).filter(
          (r) => r.parentRunId === run.id,
        );
        expect(children.map((r) => [r.status, r.triggerKind])).toEqual([["succeeded", "subflow"]]);
      });

      it("loops over items with a concurrency limit and collects outputs in item order", async () => {
        const seeded = await seedFlow(
          suite.db,
          flowOf([set("noop", { x: 1 })], [["start", "noop"]]),
        );
        const body = await addFlow(
          suite.db,
          seeded.orgId,
          flowOf(
            [http("visit", "/count/loop-{{ trigger.i }}"), set("done", { i: "{{ trigger.i }}" })],
            [
              ["start", "visit"],
              ["visit", "done"],
            ],
          ),
        );
        const version = await publishVersion(
          suite.db,
          seeded.orgId,
          seeded.flowId,
          flowOf(
            [
              {
                id: "pick",
                type: "code",
                version: 1,
                name: "Pick",
                config: { code: "return input.items;" },
              },
              {
                id: "each",
                type: "loop",
                version: 1,
                name: "Each",
                config: { flowId: body.flowId, concurrency: 2 },
              },
            ],
            [
              ["start", "pick"],
              ["pick", "each"],
            ],
          ),
        );
        const items = [{ i: 1 }, { i: 2 }, { i: 3 }];
        const { run } = await engine.start({
          orgId: seeded.orgId,
          versionId: version,
          input: { items },
          trigger: { kind: "manual" },
        });
        const finished = await engine.waitForRun(seeded.orgId, run.id);
        expect(finished.error).toBeNull();
        expect(finished.status).toBe("succeeded");
        expect(finished.output).toEqual([{ i: 1 }, { i: 2 }, { i: 3 }]);
        for (const i of [1, 2, 3]) expect(server.hits(`/count/loop-${i}`)).toBe(1);
      });

      it("cancels a run mid-run: nothing after the cancel runs", async () => {
        const seeded = await seedFlow(
          suite.db,
          flowOf(
            [
              {
                id: "pause",
                type: "wait",
                version: 1,
                name: "Pause",
                config: { mode: "duration", duration: { amount: 1, unit: "hours" } },
              },
              http("after", "/count/after-cancel"),
            ],
            [
              ["start", "pause"],
              ["pause", "after"],
            ],
          ),
        );
        const { run } = await engine.start({
          orgId: seeded.orgId,
          versionId: seeded.flowVersionId,
          input: {},
          trigger: { kind: "manual" },
        });
        await engine.waitForRun(seeded.orgId, run.id, "waiting");
        expect(await engine.cancel(seeded.orgId, run.id)).toBe(true);
        const cancelled = await engine.waitForRun(seeded.orgId, run.id);
        expect(cancelled.status).toBe("cancelled");
        const ended = await released(run.id);
        if (ended) expect(ended.status).toBe("cancelled");
        expect(server.hits("/count/after-cancel")).toBe(0);
      });

      it("keeps a running run on its pinned version when a new version is published", async () => {
        const v1 = flowOf(
          [
            {
              id: "ask",
              type: "approval",
              version: 1,
              name: "Ask",
              config: { assignees: ["a"], message: "go?" },
            },
            set("result", { version: 1 }),
          ],
          [
            ["start", "ask"],
            ["ask", "result", "approved"],
          ],
        );
        const v2 = flowOf(
          [
            {
              id: "ask",
              type: "approval",
              version: 1,
              name: "Ask",
              config: { assignees: ["a"], message: "go?" },
            },
            set("result", { version: 2 }),
          ],
          [
            ["start", "ask"],
            ["ask", "result", "approved"],
          ],
        );
        const { seeded, run, approval } = await startAndAwaitApproval(v1);
        await publishVersion(suite.db, seeded.orgId, seeded.flowId, v2);
        await engine.decide(seeded.orgId, approval.id, "approved");
        const finished = await engine.waitForRun(seeded.orgId, run.id);
        expect(finished.output).toEqual({ version: 1 });

        const { run: next } = await engine.start({
          orgId: seeded.orgId,
          flowId: seeded.flowId,
          input: {},
          trigger: { kind: "manual" },
        });
        await engine.waitForRun(seeded.orgId, next.id, "waiting");
        const [nextApproval] = await listApprovals(suite.db, seeded.orgId, { runId: next.id });
        await engine.decide(seeded.orgId, nextApproval?.id ?? "", "approved");
        expect((await engine.waitForRun(seeded.orgId, next.id)).output).toEqual({ version: 2 });
      });

      it("passes an output over 256 KB to the next node by reference", async () => {
        const { run, byNode } = await runToEnd(
          flowOf(
            [
              {
                id: "big",
                type: "code",
                version: 1,
                name: "Big",
                config: { code: "return { text: 'x'.repeat(300000) };" },
              },
              set("measure", { length: "{{ size(nodes.big.text) }}" }),
            ],
            [
              ["start", "big"],
              ["big", "measure"],
            ],
          ),
        );
        expect(run.error).toBeNull();
        // keep: "none" drops the 300 KB input the node received through the reference.
        expect(run.output).toEqual({ length: 300_000 });
        const [big] = byNode("big");
        expect(big?.outputBlobId).not.toBeNull();
        expect((big?.output as { text?: string } | undefined)?.text?.length).toBe(300_000);
      });

      it("does nothing for a run cancelled before its function started", async () => {
        const seeded = await seedFlow(
          suite.db,
          flowOf([http("never", "/count/never")], [["start", "never"]]),
        );
        const { run } = await createRun(suite.db, seeded.orgId, {
          flowVersionId: seeded.flowVersionId,
          triggerKind: "manual",
          input: {},
        });
        await engine.cancel(seeded.orgId, run.id);
        await engine.sendEvent({
          id: `run-${run.id}`,
          name: RUN_REQUESTED_EVENT,
          data: { runId: run.id, orgId: seeded.orgId },
        });
        const ended = await released(run.id);
        if (ended)
          expect(ended.output).toEqual({ runId: run.id, status: "cancelled", output: null });
        const detail = await getRunWithSteps(suite.db, seeded.orgId, run.id);
        expect(detail?.run.status).toBe("cancelled");
        expect(detail?.steps).toEqual([]);
        expect(server.hits("/count/never")).toBe(0);
      });

      it("cancels the child runs of a cancelled run", async () => {
        const seeded = await seedFlow(
          suite.db,
          flowOf([set("noop", { x: 1 })], [["start", "noop"]]),
        );
        const child = await addFlow(
          suite.db,
          seeded.orgId,
          flowOf(
            [
              {
                id: "pause",
                type: "wait",
                version: 1,
                name: "Pause",
                config: { mode: "duration", duration: { amount: 1, unit: "hours" } },
              },
            ],
            [["start", "pause"]],
          ),
        );
        const version = await publishVersion(
          suite.db,
          seeded.orgId,
          seeded.flowId,
          flowOf(
            [
              {
                id: "call",
                type: "sub_flow",
                version: 1,
                name: "Call",
                config: { flowId: child.flowId },
              },
            ],
            [["start", "call"]],
          ),
        );
        const { run } = await engine.start({
          orgId: seeded.orgId,
          versionId: version,
          input: {},
          trigger: { kind: "manual" },
        });
        const childRun = await (async () => {
          for (;;) {
            const [found] = (
              await listRuns(suite.db, seeded.orgId, { flowId: child.flowId })
            ).filter((r) => r.parentRunId === run.id);
            if (found) return engine.waitForRun(seeded.orgId, found.id, "waiting");
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        })();
        await engine.cancel(seeded.orgId, run.id);
        expect((await engine.waitForRun(seeded.orgId, run.id)).status).toBe("cancelled");
        expect((await engine.waitForRun(seeded.orgId, childRun.id)).status).toBe("cancelled");
      });

      it("records token usage of an LLM node on its step and the run", async () => {
        const openai = await startFakeOpenAI();
        try {
          openai.enqueue({ text: "a short answer", usage: { inputTokens: 12, outputTokens: 3 } });
          const seeded = await seedFlow(suite.db, flowOf([], []));
          const credential = await seedCredential(suite.db, {
            masterKey: engine.services.masterKey,
            orgId: seeded.orgId,
            type: "openai",
            data: { apiKey: "sk-test", baseUrl: openai.baseUrl },
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
                  config: { credential, model: "gpt-test", prompt: "Say {{ trigger.word }}" },
                },
              ],
              [["start", "ask"]],
            ),
          );
          const { run } = await engine.start({
            orgId: seeded.orgId,
            versionId: version,
            input: { word: "hi" },
            trigger: { kind: "manual" },
          });
          const finished = await engine.waitForRun(seeded.orgId, run.id);
          expect(finished.error).toBeNull();
          expect([finished.tokensIn, finished.tokensOut]).toEqual([12, 3]);
          const detail = await getRunWithSteps(suite.db, seeded.orgId, run.id);
          const step = detail?.steps.find((s) => s.nodeId === "ask");
          expect([step?.tokensIn, step?.tokensOut]).toEqual([12, 3]);
          expect(openai.requests[0]?.prompt).toBe("Say hi");
        } finally {
          await openai.close();
        }
      });

      it("starts a run once for a repeated start with the same idempotency key", async () => {
        const seeded = await seedFlow(
          suite.db,
          flowOf([http("once", "/count/idem")], [["start", "once"]]),
        );
        const start = () =>
          engine.start({
            orgId: seeded.orgId,
            versionId: seeded.flowVersionId,
            input: {},
            trigger: { kind: "api" },
            idempotencyKey: "k1",
          });
        const first = await start();
        const second = await start();
        expect(second.created).toBe(false);
        expect(second.run.id).toBe(first.run.id);
        await engine.waitForRun(seeded.orgId, first.run.id);
        expect(server.hits("/count/idem")).toBe(1);
      });
    },
    { drivers: ["pglite", "pg"] },
  );
