import { afterAll, beforeAll, expect, it } from "vitest";

import type { ExecutionPlan, FlowDefinitionInput } from "@runnel/engine";
import type { HitServer } from "@runnel/engine/testing";
import type { JsonValue } from "@runnel/nodes";
import { eq } from "@runnel/db";
import { flowVersions } from "@runnel/db/schema";
import { describeEachDriver } from "@runnel/db/testing";
import {
  compileFlow,
  getRunWithSteps,
  listRunEvents,
  planRerun,
  RerunNodeError,
  startRerun,
} from "@runnel/engine";
import { flowOf, seedFlow, startHitServer } from "@runnel/engine/testing";
import { catalogue } from "@runnel/nodes";

import type { EmbeddedEngine } from "../testing";
import { RUN_FLOW_BINDINGS, startEmbeddedEngine } from "../testing";

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

/**
 * start → gate (if trigger.go) → true: yes (HTTP, counted) → tail; false: no; and a parallel branch start → side
 * (HTTP, counted). The HTTP hits show which nodes executed.
 */
function branchyFlow(url: string, condition = "{{ trigger.go }}"): FlowDefinitionInput {
  const http = (id: string, path: string) => ({
    id,
    type: "http_request",
    version: 1,
    name: id,
    config: { url: `${url}${path}` },
    settings: { retries: 0, timeoutMs: 10_000, onError: "fail" as const },
  });
  return flowOf(
    [
      { id: "gate", type: "if", version: 1, name: "Gate", config: { condition } },
      http("yes", "/count/yes"),
      set("no", { branch: "no" }),
      set("tail", { seen: "{{ nodes.yes.status }}" }),
      http("side", "/count/side"),
    ],
    [
      ["start", "gate"],
      ["gate", "yes", "true"],
      ["gate", "no", "false"],
      ["yes", "tail"],
      ["start", "side"],
    ],
  );
}

function planOf(definition: FlowDefinitionInput): ExecutionPlan {
  const compiled = compileFlow(definition, { catalogue, credentials: [] });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
  return compiled.plan;
}

it("planRerun reuses fired ports and skips, refuses unknown nodes and upstream nodes without output", () => {
  const plan = planOf(branchyFlow("http://127.0.0.1:1"));
  const outcomes = {
    start: { status: "succeeded" as const, port: "out", output: { go: true } },
    gate: { status: "succeeded" as const, port: "true", output: { go: true } },
    yes: { status: "succeeded" as const, port: null, output: { status: 200 } },
    no: { status: "skipped" as const },
    side: { status: "failed" as const },
  };
  expect(planRerun(plan, "tail", outcomes)).toEqual({
    start: { status: "fired", port: "out", value: { go: true } },
    gate: { status: "fired", port: "true", value: { go: true } },
    // Recorded without a port: the node's only output port.
    yes: { status: "fired", port: "out", value: { status: 200 } },
    no: { status: "skipped" },
    // `side` failed but is not upstream of tail: it is not reused, so it executes.
  });
  expect(() => planRerun(plan, "ghost", outcomes)).toThrow(/node "ghost" is not in the flow/);
  const missing = (() => {
    try {
      planRerun(plan, "tail", { ...outcomes, yes: { status: "failed" } });
    } catch (error) {
      return error;
    }
    return undefined;
  })();
  expect(missing).toBeInstanceOf(RerunNodeError);
  expect(missing).toMatchObject({ nodeId: "yes", reason: "no_output" });
  // A recorded port the flow no longer has is no output either.
  expect(() =>
    planRerun(plan, "tail", { ...outcomes, gate: { ...outcomes.gate, port: "maybe" } }),
  ).toThrow(/node "gate" is upstream of "tail"/);
});

for (const runFlow of RUN_FLOW_BINDINGS)
  describeEachDriver(
    `rerun from a node (${runFlow})`,
    (suite) => {
      let engine: EmbeddedEngine;
      let server: HitServer;

      beforeAll(async () => {
        server = await startHitServer();
        engine = await startEmbeddedEngine({ handle: suite.handle, runFlow });
      }, 120_000);
      afterAll(async () => {
        await engine.close();
        await server.close();
      });

      it("executes the node and its descendants only; branch ports, skips and parallel branches are reused", async () => {
        const seeded = await seedFlow(suite.db, branchyFlow(server.url));
        const { orgId } = seeded;
        const { run: first } = await engine.start({
          orgId,
          versionId: seeded.flowVersionId,
          input: { go: true },
          trigger: { kind: "manual" },
        });
        const firstDone = await engine.waitForRun(orgId, first.id);
        expect(firstDone.status).toBe("succeeded");
        const hits = () => [server.hits("/count/yes"), server.hits("/count/side")];
        const before = hits();

        const deps = { db: suite.db, sendEvent: engine.sendEvent, bus: engine.bus, orgId };
        const { run } = await startRerun({ ...deps, runId: first.id, nodeId: "tail" });
        expect(run).toMatchObject({ rerunOfRunId: first.id, rerunFromNodeId: "tail" });
        const done = await engine.waitForRun(orgId, run.id);
        expect(done.status).toBe("succeeded");
        expect(done.output).toEqual(firstDone.output);
        expect(hits()).toEqual(before);
        const detail = await getRunWithSteps(suite.db, orgId, run.id);
        const byNode = Object.fromEntries((detail?.steps ?? []).map((s) => [s.nodeId, s]));
        expect(byNode.gate).toMatchObject({
          status: "succeeded",
          port: "true",
          reusedFromRunId: first.id,
        });
        expect(byNode.yes).toMatchObject({ status: "succeeded", reusedFromRunId: first.id });
        expect(byNode.side).toMatchObject({ status: "succeeded", reusedFromRunId: first.id });
        expect(byNode.no).toMatchObject({ status: "skipped" });
        expect(byNode.tail).toMatchObject({
          status: "succeeded",
          reusedFromRunId: null,
          port: "out",
        });
        const events = await listRunEvents(suite.db, orgId, run.id);
        const reusedEvent = events.find((e) => e.type === "step.succeeded" && e.nodeId === "gate");
        expect(reusedEvent?.payload).toMatchObject({ reusedFromRunId: first.id, port: "true" });

        // From the gate on a changed draft: the gate flips, `no` runs, `yes` and `tail` are skipped, `side` reused.
        const draft = branchyFlow(server.url, "{{ trigger.go == false }}");
        const { run: flipped } = await startRerun({
          ...deps,
          runId: first.id,
          nodeId: "gate",
          draft: { definition: draft },
        });
        const flippedDone = await engine.waitForRun(orgId, flipped.id);
        expect(flippedDone.status).toBe("succeeded");
        expect(flippedDone.output).toMatchObject({ no: { branch: "no" }, side: { status: 200 } });
        expect(hits()).toEqual(before);
        const [snapshot] = await suite.db
          .select({ kind: flowVersions.kind, number: flowVersions.number })
          .from(flowVersions)
          .where(eq(flowVersions.id, flipped.flowVersionId));
        expect(snapshot).toEqual({ kind: "test", number: 0 });
        const flippedSteps = (await getRunWithSteps(suite.db, orgId, flipped.id))?.steps ?? [];
        const status = Object.fromEntries(flippedSteps.map((s) => [s.nodeId, s.status]));
        expect(status).toMatchObject({
          gate: "succeeded",
          no: "succeeded",
          yes: "skipped",
          tail: "skipped",
        });
      });
    },
    { drivers: ["pglite", "pg"] },
  );
