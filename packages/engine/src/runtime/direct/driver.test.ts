import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";

import type { RunStatus } from "@runnel/db/schema";
import { eq } from "@runnel/db";
import { runJournal, runs } from "@runnel/db/schema";
import { describeEachDriver } from "@runnel/db/testing";

import type { RunEventBus } from "../../events/subscription";
import type { FlowDefinitionInput } from "../../flow/definition";
import type { EngineServices } from "../../services/node-context";
import type { HitServer } from "../../testing";
import type { OutgoingEvent } from "../events";
import type { DirectDriver } from "./driver";
import { createInProcessEventBus } from "../../events/in-process";
import { listApprovals } from "../../runs/approvals";
import { getRun, getRunWithSteps } from "../../runs/store";
import { createEngineServices } from "../../services/node-context";
import { flowOf, seedFlow, startHitServer } from "../../testing";
import { createRunFlowResources } from "../flow-run/resources";
import { createRunResponses } from "../run-responses";
import { decideRunApproval, startRun } from "../starter";
import { createDirectDriver } from "./driver";

/**
 * The direct driver on its own (no executor anywhere): runs execute in process with their node outcomes in the run
 * store and the rest of their steps journalled in run_journal, a long wait parks the run (no owner, due later) and the poll or a signal resumes it, and a new
 * driver resumes a run from its journal without executing recorded steps again. The whole runFlow suite also runs
 * on this driver (docs/executor.md, Direct runs).
 */
describeEachDriver("direct driver", (suite) => {
  let server: HitServer;
  let services: EngineServices & { close(): Promise<void> };
  let bus: RunEventBus;
  let driver: DirectDriver;
  const responses = createRunResponses();

  const newDriver = () =>
    createDirectDriver({
      resources: createRunFlowResources({ services, bus, approvalRecheckMs: 1000, responses }),
      holdMs: 100,
      pollMs: 50,
      leaseMs: 1000,
      retryDelayMs: () => 10,
    });
  const sendEvent = async (event: OutgoingEvent) => {
    if (!driver.handles(event.name)) throw new Error(`unexpected event ${event.name}`);
    await driver.send(event);
  };

  beforeAll(async () => {
    server = await startHitServer();
    services = createEngineServices({
      db: suite.db,
      masterKey: randomBytes(32),
      http: { allow: ["127.0.0.1/32"] },
    });
    bus = createInProcessEventBus({ db: suite.db });
    driver = newDriver();
    await driver.start();
  }, 120_000);

  afterAll(async () => {
    await driver.stop();
    await bus.close();
    await services.close();
    await server.close();
  });

  const http = (id: string, path: string) => ({
    id,
    type: "http_request",
    version: 1,
    name: id,
    config: { url: `${server.url}${path}` },
    settings: { retries: 0, timeoutMs: 10_000, onError: "fail" as const },
  });

  async function start(definition: FlowDefinitionInput) {
    const seeded = await seedFlow(suite.db, definition);
    const { run } = await startRun({
      db: suite.db,
      sendEvent,
      bus,
      orgId: seeded.orgId,
      versionId: seeded.flowVersionId,
      input: { n: 1 },
      trigger: { kind: "manual" },
    });
    return { orgId: seeded.orgId, runId: run.id };
  }

  async function until(orgId: string, runId: string, statuses: RunStatus[], timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = await getRun(suite.db, orgId, runId);
      if (run && statuses.includes(run.status)) return run;
      if (Date.now() > deadline)
        throw new Error(`run ${runId} is ${run?.status ?? "missing"}, not ${statuses.join("/")}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  const journalOf = (runId: string) =>
    suite.db.select().from(runJournal).where(eq(runJournal.runId, runId));

  it("executes a run in process and deletes its journal when it ends", async () => {
    const { orgId, runId } = await start(
      flowOf([http("call", "/count/direct-once")], [["start", "call"]]),
    );
    const run = await until(orgId, runId, ["succeeded", "failed"]);
    expect(run.status).toBe("succeeded");
    expect(server.hits("/count/direct-once")).toBe(1);
    const detail = await getRunWithSteps(suite.db, orgId, runId);
    expect(detail?.steps.map((step) => [step.nodeId, step.status])).toEqual([
      ["start", "succeeded"],
      ["call", "succeeded"],
    ]);
    await expect.poll(async () => (await journalOf(runId)).length).toBe(0);
  });

  it("answers a caller waiting in this process from memory once the Respond output is committed", async () => {
    const { orgId, runId } = await start(
      flowOf(
        [
          {
            id: "reply",
            type: "respond",
            version: 1,
            name: "Reply",
            config: { status: 201, body: { ok: "{{ trigger.n }}" } },
          },
          http("after", "/slow/after-respond?ms=300"),
        ],
        [
          ["start", "reply"],
          ["reply", "after"],
        ],
      ),
    );
    const outcome = await responses.wait(runId, new Set(["reply"]), 10_000);
    expect(outcome).toMatchObject({ kind: "responded", nodeId: "reply", value: { status: 201 } });
    // Answered before the run ended, and only after the Respond step was committed.
    const detail = await getRunWithSteps(suite.db, orgId, runId);
    expect(detail?.run.status).toBe("running");
    expect(detail?.steps.find((step) => step.nodeId === "reply")?.status).toBe("succeeded");
    await until(orgId, runId, ["succeeded"]);
    expect(await responses.wait(runId, new Set(["other"]), 10_000)).toEqual({ kind: "ended" });
    expect(await responses.wait("not-here", new Set(["reply"]), 10_000)).toEqual({
      kind: "elsewhere",
    });
  });

  it("parks a run whose wait is longer than it holds in memory, and resumes it when due", async () => {
    const { orgId, runId } = await start(
      flowOf(
        [
          {
            id: "pause",
            type: "wait",
            version: 1,
            name: "Pause",
            config: { mode: "duration", duration: { amount: 1, unit: "seconds" } },
          },
          http("after", "/count/direct-after-park"),
        ],
        [
          ["start", "pause"],
          ["pause", "after"],
        ],
      ),
    );
    await until(orgId, runId, ["waiting"]);
    await expect
      .poll(async () => {
        const [row] = await suite.db.select().from(runs).where(eq(runs.id, runId));
        return row?.leaseOwner === null && row.leaseUntil !== null;
      })
      .toBe(true);
    // The journal holds what the run store does not: `load`, the wait's start and deadline. The trigger's output
    // is its run_steps row.
    const steps = (await journalOf(runId)).map((row) => row.stepId).sort();
    expect(steps).toEqual(["load", "pause", "pause:sleep#until"]);
    const run = await until(orgId, runId, ["succeeded", "failed"]);
    expect(run.status).toBe("succeeded");
    expect(server.hits("/count/direct-after-park")).toBe(1);
  });

  it("resumes a parked approval when the decision's signal arrives", async () => {
    const { orgId, runId } = await start(
      flowOf(
        [
          {
            id: "ask",
            type: "approval",
            version: 1,
            name: "Ask",
            config: {
              assignees: ["boss"],
              message: "Ship it?",
              timeout: { amount: 1, unit: "hours" },
            },
          },
        ],
        [["start", "ask"]],
      ),
    );
    await until(orgId, runId, ["waiting"]);
    const [approval] = await listApprovals(suite.db, orgId, { runId });
    if (!approval) throw new Error("no approval was requested");
    await decideRunApproval({
      db: suite.db,
      sendEvent,
      bus,
      orgId,
      approvalId: approval.id,
      decision: "approved",
      decidedBy: null,
    });
    const run = await until(orgId, runId, ["succeeded", "failed"], 5_000);
    expect(run.output).toMatchObject({ decision: "approved" });
  });

  it("a new driver resumes a run from its journal without executing recorded steps again", async () => {
    const { orgId, runId } = await start(
      flowOf(
        [
          http("first", "/count/journal-first"),
          http("slow", "/slow/journal-slow?ms=500"),
          http("last", "/count/journal-last"),
        ],
        [
          ["start", "first"],
          ["first", "slow"],
          ["slow", "last"],
        ],
      ),
    );
    await expect.poll(() => server.hits("/slow/journal-slow"), { timeout: 10_000 }).toBe(1);
    // Stopping waits for the step in flight and records it; the run stays unfinished and due.
    await driver.stop();
    expect((await getRun(suite.db, orgId, runId))?.status).toBe("running");
    driver = newDriver();
    await driver.start();
    const run = await until(orgId, runId, ["succeeded", "failed"]);
    expect(run.status).toBe("succeeded");
    expect(server.hits("/count/journal-first")).toBe(1);
    expect(server.hits("/slow/journal-slow")).toBe(1);
    expect(server.hits("/count/journal-last")).toBe(1);
  });
});
