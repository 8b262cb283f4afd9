import { describe, expect, it } from "vitest";

import { and, eq, sql } from "@runnel/db";
import { flowVersions, runBlobs, runEvents, runSteps } from "@runnel/db/schema";
import { describeEachDriver } from "@runnel/db/testing";

import type { RunEvent } from "./event-types";
import type { PureStepWrite } from "./store";
import { FlowVersionNotFoundError, RunNotFoundError } from "./errors";
import { appendRunEvent, listRunEvents } from "./events";
import { seedFlowVersion } from "./fixtures";
import {
  createRun,
  getNodeOutputs,
  getRun,
  getRunWithSteps,
  listRuns,
  markRunStatus,
  recordPureSteps,
  recordStepFinish,
  recordStepRun,
  recordStepStart,
  upsertStep,
} from "./store";
import { INLINE_VALUE_LIMIT_BYTES, isBlobRef, offloadValue, resolveValue } from "./values";

/** A JSON value whose serialised size is a bit over `bytes`. */
function bigValue(bytes: number) {
  return { text: "x".repeat(bytes), nested: { ok: true } };
}

describeEachDriver("run store", (suite) => {
  describe("runs", () => {
    it("creates a queued run pinned to the version, with run.queued as event 1", async () => {
      const { orgId, flowId, flowVersionId } = await seedFlowVersion(suite.db);
      const { run, created, events } = await createRun(suite.db, orgId, {
        flowVersionId,
        triggerKind: "manual",
        triggerInfo: { userId: "u1" },
        input: { name: "Ada" },
      });
      expect(created).toBe(true);
      expect(run).toMatchObject({
        orgId,
        flowId,
        flowVersionId,
        status: "queued",
        input: { name: "Ada" },
        eventSeq: 1,
      });
      expect(events.map((event) => [event.seq, event.type])).toEqual([[1, "run.queued"]]);
      expect(events[0]?.payload).toEqual({
        triggerKind: "manual",
        flowVersionId,
        input: { value: { name: "Ada" }, bytes: 14 },
      });
      expect(await getRun(suite.db, orgId, run.id)).toMatchObject({
        id: run.id,
        input: { name: "Ada" },
      });
    });

    it("is scoped by org: another org neither sees the run nor starts its version", async () => {
      const a = await seedFlowVersion(suite.db);
      const b = await seedFlowVersion(suite.db);
      const { run } = await createRun(suite.db, a.orgId, {
        flowVersionId: a.flowVersionId,
        triggerKind: "api",
      });
      expect(await getRun(suite.db, b.orgId, run.id)).toBeUndefined();
      expect(await getRunWithSteps(suite.db, b.orgId, run.id)).toBeUndefined();
      expect(await listRunEvents(suite.db, b.orgId, run.id)).toEqual([]);
      expect(await listRuns(suite.db, b.orgId)).toEqual([]);
      await expect(
        createRun(suite.db, b.orgId, { flowVersionId: a.flowVersionId, triggerKind: "api" }),
      ).rejects.toBeInstanceOf(FlowVersionNotFoundError);
      await expect(markRunStatus(suite.db, b.orgId, run.id, "cancelled")).rejects.toBeInstanceOf(
        RunNotFoundError,
      );
      await expect(
        recordStepStart(suite.db, b.orgId, { runId: run.id, nodeId: "n", attempt: 0 }),
      ).rejects.toBeInstanceOf(RunNotFoundError);
      await expect(
        createRun(suite.db, b.orgId, {
          flowVersionId: b.flowVersionId,
          triggerKind: "subflow",
          parentRunId: run.id,
        }),
      ).rejects.toBeInstanceOf(RunNotFoundError);
    });

    it("gives one run per idempotency key, even for concurrent creates", async () => {
      const { orgId, flowVersionId } = await seedFlowVersion(suite.db);
      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          createRun(suite.db, orgId, {
            flowVersionId,
            triggerKind: "webhook",
            idempotencyKey: "delivery-1",
          }),
        ),
      );
      expect(new Set(results.map((result) => result.run.id)).size).toBe(1);
      expect(results.filter((result) => result.created)).toHaveLength(1);
      const again = await createRun(suite.db, orgId, {
        flowVersionId,
        triggerKind: "webhook",
        idempotencyKey: "delivery-1",
      });
      expect(again).toMatchObject({ created: false, events: [] });
      expect(again.run.id).toBe(results[0]?.run.id);
      const other = await createRun(suite.db, orgId, {
        flowVersionId,
        triggerKind: "webhook",
        idempotencyKey: "delivery-2",
      });
      expect(other.run.id).not.toBe(again.run.id);
    });

    it("moves through statuses, records timings, and never changes a finished run", async () => {
      const { orgId, flowVersionId } = await seedFlowVersion(suite.db);
      const { run } = await createRun(suite.db, orgId, { flowVersionId, triggerKind: "manual" });
      const running = await markRunStatus(suite.db, orgId, run.id, "running");
      expect(running.changed).toBe(true);
      expect(running.run.startedAt).toBeInstanceOf(Date);
      expect((await markRunStatus(suite.db, orgId, run.id, "running")).changed).toBe(false);
      const waiting = await markRunStatus(suite.db, orgId, run.id, "waiting", {
        reason: "approval",
      });
      expect(waiting.events[0]).toMatchObject({
        type: "run.waiting",
        payload: { previous: "running", reason: "approval" },
      });
      await markRunStatus(suite.db, orgId, run.id, "running");
      const done = await markRunStatus(suite.db, orgId, run.id, "succeeded", {
        output: { answer: 42 },
      });
      expect(done.run).toMatchObject({ status: "succeeded", output: { answer: 42 } });
      expect(done.run.finishedAt).toBeInstanceOf(Date);
      expect(done.events[0]).toMatchObject({
        type: "run.succeeded",
        payload: { previous: "running", output: { value: { answer: 42 } } },
      });
      const late = await markRunStatus(suite.db, orgId, run.id, "cancelled");
      expect(late).toMatchObject({
        changed: false,
        events: [],
        run: { status: "succeeded", output: { answer: 42 } },
      });
      const types = (await listRunEvents(suite.db, orgId, run.id)).map(
        (event) => `${event.seq}:${event.type}`,
      );
      expect(types).toEqual([
        "1:run.queued",
        "2:run.running",
        "3:run.waiting",
        "4:run.running",
        "5:run.succeeded",
      ]);
    });

    it("records the failing node and its error", async () => {
      const { orgId, flowVersionId } = await seedFlowVersion(suite.db);
      const { run } = await createRun(suite.db, orgId, { flowVersionId, triggerKind: "manual" });
      const failed = await markRunStatus(suite.db, orgId, run.id, "failed", {
        error: { message: "HTTP 500 from example", nodeId: "fetch_page" },
        failedNodeId: "fetch_page",
      });
      expect(failed.run).toMatchObject({ status: "failed", failedNodeId: "fetch_page" });
      expect(failed.events[0]?.payload).toMatchObject({
        failedNodeId: "fetch_page",
        error: { message: "HTTP 500 from example" },
      });
    });

    it("lists runs newest first with filters and a keyset cursor", async () => {
      const { orgId, flowVersionId } = await seedFlowVersion(suite.db);
      const created = [];
      for (let index = 0; index < 3; index++) {
        created.push(
          (await createRun(suite.db, orgId, { flowVersionId, triggerKind: "manual" })).run,
        );
      }
      await markRunStatus(suite.db, orgId, created[0]?.id ?? "", "running");
      const all = await listRuns(suite.db, orgId);
      expect(all).toHaveLength(3);
      expect(await listRuns(suite.db, orgId, { status: "running" })).toHaveLength(1);
      const [first] = await listRuns(suite.db, orgId, { limit: 1 });
      expect(first).toBeDefined();
      const rest = await listRuns(suite.db, orgId, { before: first?.createdAt });
      expect(rest.every((run) => first && run.createdAt < first.createdAt)).toBe(true);
    });
  });

  describe("steps", () => {
    it("records an attempt that finished before its start was written, start and outcome in one write", async () => {
      const { orgId, flowVersionId } = await seedFlowVersion(suite.db);
      const { run } = await createRun(suite.db, orgId, { flowVersionId, triggerKind: "manual" });
      const key = { runId: run.id, nodeId: "shape", attempt: 0 };
      const start = { ...key, input: { in: 1 }, startedMsAgo: 1500 };
      const finish = { ...key, status: "succeeded" as const, output: { out: 2 }, port: "out" };
      const written = await recordStepRun(suite.db, orgId, start, finish);
      expect(written.step).toMatchObject({
        status: "succeeded",
        input: { in: 1 },
        output: { out: 2 },
      });
      expect(written.events.map((event) => [event.type, event.seq])).toEqual([
        ["step.started", 2],
        ["step.succeeded", 3],
      ]);
      // The duration is what the attempt took, not the length of the transaction.
      const durationMs = (written.events[1] as RunEvent<"step.succeeded">).payload.durationMs ?? 0;
      expect(durationMs).toBeGreaterThanOrEqual(1400);
      expect(durationMs).toBeLessThan(10_000);
      const replay = await recordStepRun(suite.db, orgId, start, finish);
      expect(replay.events).toEqual([]);
      expect(await suite.db.select().from(runSteps).where(eq(runSteps.runId, run.id))).toHaveLength(
        1,
      );
      await expect(
        recordStepRun(suite.db, orgId, start, { ...finish, nodeId: "other" }),
      ).rejects.toThrow(/different step attempts/);
    });

    it("records pure nodes' outcomes together: one upsert, their events in order, once however often replayed", async () => {
      const { orgId, flowVersionId } = await seedFlowVersion(suite.db);
      const { run } = await createRun(suite.db, orgId, { flowVersionId, triggerKind: "manual" });
      const fired = (nodeId: string, output: unknown, startedMsAgo: number): PureStepWrite => ({
        kind: "run",
        start: { runId: run.id, nodeId, attempt: 0, input: { from: nodeId }, startedMsAgo },
        finish: { runId: run.id, nodeId, attempt: 0, status: "succeeded", output, port: "out" },
      });
      const writes: PureStepWrite[] = [
        fired("hook", { body: 1 }, 30),
        { kind: "skip", runId: run.id, nodeId: "other" },
        fired("shape", { hello: "world" }, 1200),
      ];
      const written = await recordPureSteps(suite.db, orgId, writes);
      expect(written.events.map((event) => [event.seq, event.type, event.nodeId])).toEqual([
        [2, "step.started", "hook"],
        [3, "step.succeeded", "hook"],
        [4, "step.skipped", "other"],
        [5, "step.started", "shape"],
        [6, "step.succeeded", "shape"],
      ]);
      const shapeDone = written.events[4] as RunEvent<"step.succeeded">;
      expect(shapeDone.payload).toMatchObject({
        attempt: 0,
        output: { value: { hello: "world" } },
        port: "out",
        tokensIn: 0,
        tokensOut: 0,
      });
      expect(shapeDone.payload.durationMs).toBeGreaterThanOrEqual(1100);
      // The same events, read back: nothing published that was not stored.
      expect(
        (await listRunEvents(suite.db, orgId, run.id)).map((event) => [event.seq, event.type]),
      ).toEqual([[1, "run.queued"], ...written.events.map((event) => [event.seq, event.type])]);
      const steps = await getRunWithSteps(suite.db, orgId, run.id);
      expect(
        steps?.steps.map((step) => [step.nodeId, step.status, step.port, step.output]),
      ).toEqual(
        expect.arrayContaining([
          ["hook", "succeeded", "out", { body: 1 }],
          ["other", "skipped", null, null],
          ["shape", "succeeded", "out", { hello: "world" }],
        ]),
      );
      const replay = await recordPureSteps(suite.db, orgId, writes);
      expect(replay.events).toEqual([]);
      expect(await listRunEvents(suite.db, orgId, run.id)).toHaveLength(6);
      expect(await suite.db.select().from(runSteps).where(eq(runSteps.runId, run.id))).toHaveLength(
        3,
      );
      await expect(
        recordPureSteps(suite.db, "another-org", [fired("late", null, 0)]),
      ).rejects.toBeInstanceOf(RunNotFoundError);
    });

    it("records a pure write a batch cannot take (a value stored as a blob) one by one", async () => {
      const { orgId, flowVersionId } = await seedFlowVersion(suite.db);
      const { run } = await createRun(suite.db, orgId, { flowVersionId, triggerKind: "manual" });
      const big = bigValue(INLINE_VALUE_LIMIT_BYTES + 10);
      const written = await recordPureSteps(suite.db, orgId, [
        {
          kind: "run",
          start: { runId: run.id, nodeId: "big", attempt: 0, input: {}, startedMsAgo: 0 },
          finish: { runId: run.id, nodeId: "big", attempt: 0, status: "succeeded", output: big },
        },
      ]);
      expect(written.events.map((event) => event.type)).toEqual(["step.started", "step.succeeded"]);
      expect(await getNodeOutputs(suite.db, orgId, run.id)).toEqual({ big });
    });

    it("records a node attempt once however often a replayed step writes it", async () => {
      const { orgId, flowVersionId } = await seedFlowVersion(suite.db);
      const { run } = await createRun(suite.db, orgId, { flowVersionId, triggerKind: "manual" });
      const key = { runId: run.id, nodeId: "summarise", attempt: 0 };
      const start = await recordStepStart(suite.db, orgId, { ...key, input: { text: "hi" } });
      expect(start.step).toMatchObject({ status: "running", input: { text: "hi" } });
      expect(start.events.map((event) => event.type)).toEqual(["step.started"]);
      const replay = await recordStepStart(suite.db, orgId, { ...key, input: { text: "hi" } });
      expect(replay.events).toEqual([]);
      expect(replay.step.startedAt?.getTime()).toBe(start.step.startedAt?.getTime());

      const finish = {
        ...key,
        status: "succeeded" as const,
        output: { summary: "ok" },
        tokensIn: 10,
        tokensOut: 5,
        costUsd: 0.0021,
      };
      const first = await recordStepFinish(suite.db, orgId, finish);
      expect(first.step).toMatchObject({
        status: "succeeded",
        output: { summary: "ok" },
        tokensIn: 10,
        costUsd: 0.0021,
      });
      expect(first.events[0]).toMatchObject({
        type: "step.succeeded",
        nodeId: "summarise",
        payload: {
          attempt: 0,
          output: { value: { summary: "ok" } },
          tokensIn: 10,
          tokensOut: 5,
          costUsd: 0.0021,
        },
      });
      const second = await recordStepFinish(suite.db, orgId, finish);
      expect(second.events).toEqual([]);

      const rows = await suite.db.select().from(runSteps).where(eq(runSteps.runId, run.id));
      expect(rows).toHaveLength(1);
      const totals = await getRun(suite.db, orgId, run.id);
      expect(totals).toMatchObject({ tokensIn: 10, tokensOut: 5, costUsd: 0.0021 });
      expect((await listRunEvents(suite.db, orgId, run.id)).map((event) => event.type)).toEqual([
        "run.queued",
        "step.started",
        "step.succeeded",
      ]);
    });

    it("records one row and one event when replays of an attempt race each other", async () => {
      const { orgId, flowVersionId } = await seedFlowVersion(suite.db);
      const { run } = await createRun(suite.db, orgId, { flowVersionId, triggerKind: "manual" });
      const key = { runId: run.id, nodeId: "racy", attempt: 0 };
      const starts = await Promise.all(
        Array.from({ length: 5 }, () => recordStepStart(suite.db, orgId, { ...key, input: 1 })),
      );
      const finishes = await Promise.all(
        Array.from({ length: 5 }, () =>
          recordStepFinish(suite.db, orgId, { ...key, status: "succeeded", output: 2 }),
        ),
      );
      expect(starts.flatMap((result) => result.events)).toHaveLength(1);
      expect(finishes.flatMap((result) => result.events)).toHaveLength(1);
      const rows = await suite.db.select().from(runSteps).where(eq(runSteps.runId, run.id));
      expect(rows).toHaveLength(1);
      expect((await listRunEvents(suite.db, orgId, run.id)).map((event) => event.seq)).toEqual([
        1, 2, 3,
      ]);
    });

    it("keeps each retry attempt as its own row and sums tokens over them", async () => {
      const { orgId, flowVersionId } = await seedFlowVersion(suite.db);
      const { run } = await createRun(suite.db, orgId, { flowVersionId, triggerKind: "manual" });
      await recordStepStart(suite.db, orgId, { runId: run.id, nodeId: "llm", attempt: 0 });
      const failed = await recordStepFinish(suite.db, orgId, {
        runId: run.id,
        nodeId: "llm",
        attempt: 0,
        status: "failed",
        error: { message: "rate limited", nodeId: "llm" },
        tokensIn: 3,
      });
      expect(failed.events[0]).toMatchObject({
        type: "step.failed",
        payload: { error: { message: "rate limited" } },
      });
      await recordStepStart(suite.db, orgId, { runId: run.id, nodeId: "llm", attempt: 1 });
      await recordStepFinish(suite.db, orgId, {
        runId: run.id,
        nodeId: "llm",
        attempt: 1,
        status: "succeeded",
        output: "hello",
        tokensIn: 4,
        tokensOut: 2,
      });
      await upsertStep(suite.db, orgId, {
        runId: run.id,
        nodeId: "else_branch",
        attempt: 0,
        status: "skipped",
      });
      await upsertStep(suite.db, orgId, {
        runId: run.id,
        nodeId: "review",
        attempt: 0,
        status: "waiting",
        reason: "approval",
      });
      const skippedAgain = await upsertStep(suite.db, orgId, {
        runId: run.id,
        nodeId: "else_branch",
        attempt: 0,
        status: "skipped",
      });
      expect(skippedAgain.events).toEqual([]);

      const view = await getRunWithSteps(suite.db, orgId, run.id);
      expect(view?.run).toMatchObject({ tokensIn: 7, tokensOut: 2 });
      expect(view?.steps.map((step) => `${step.nodeId}#${step.attempt}:${step.status}`)).toEqual([
        "llm#0:failed",
        "llm#1:succeeded",
        "else_branch#0:skipped",
        "review#0:waiting",
      ]);
      await expect(
        upsertStep(suite.db, orgId, {
          runId: run.id,
          nodeId: "llm",
          attempt: 2,
          status: "succeeded",
        }),
      ).rejects.toThrow(/use recordStepFinish/);
    });

    it("gives the latest successful output of every node, for reruns", async () => {
      const { orgId, flowVersionId } = await seedFlowVersion(suite.db);
      const { run } = await createRun(suite.db, orgId, { flowVersionId, triggerKind: "manual" });
      const big = bigValue(300 * 1024);
      await recordStepFinish(suite.db, orgId, {
        runId: run.id,
        nodeId: "a",
        attempt: 0,
        status: "succeeded",
        output: 1,
      });
      await recordStepFinish(suite.db, orgId, {
        runId: run.id,
        nodeId: "b",
        attempt: 0,
        status: "failed",
        error: { message: "flaky" },
      });
      await recordStepFinish(suite.db, orgId, {
        runId: run.id,
        nodeId: "b",
        attempt: 1,
        status: "succeeded",
        output: big,
      });
      await recordStepFinish(suite.db, orgId, {
        runId: run.id,
        nodeId: "c",
        attempt: 0,
        status: "failed",
        error: { message: "broken" },
      });
      await upsertStep(suite.db, orgId, {
        runId: run.id,
        nodeId: "d",
        attempt: 0,
        status: "skipped",
      });
      expect(await getNodeOutputs(suite.db, orgId, run.id)).toEqual({ a: 1, b: big });
      const other = await seedFlowVersion(suite.db);
      expect(await getNodeOutputs(suite.db, other.orgId, run.id)).toBeUndefined();
    });

    it("stores outputs over 256 KB by reference and resolves them on read", async () => {
      const { orgId, flowVersionId } = await seedFlowVersion(suite.db);
      const { run } = await createRun(suite.db, orgId, {
        flowVersionId,
        triggerKind: "manual",
        input: bigValue(INLINE_VALUE_LIMIT_BYTES),
      });
      expect(run.inputBlobId).toEqual(expect.any(String));
      const output = bigValue(300 * 1024);
      const key = { runId: run.id, nodeId: "scrape", attempt: 0 };
      await recordStepStart(suite.db, orgId, key);
      const finished = await recordStepFinish(suite.db, orgId, {
        ...key,
        status: "succeeded",
        output,
      });
      expect(finished.step.output).toEqual(output);
      const payload = finished.events[0]?.payload;
      expect(payload && "output" in payload ? payload.output : undefined).toEqual({
        bytes: JSON.stringify(output).length,
      });

      const [row] = await suite.db.select().from(runSteps).where(eq(runSteps.runId, run.id));
      expect(row?.output).toBeNull();
      expect(row?.outputBlobId).toEqual(expect.any(String));

      // A replayed finish replaces the blob rather than leaving the first one behind.
      await recordStepFinish(suite.db, orgId, { ...key, status: "succeeded", output });
      const blobs = await suite.db
        .select({ id: runBlobs.id })
        .from(runBlobs)
        .where(eq(runBlobs.runId, run.id));
      expect(blobs).toHaveLength(2); // the run's input and the step's output

      await markRunStatus(suite.db, orgId, run.id, "running");
      await markRunStatus(suite.db, orgId, run.id, "succeeded", { output });
      const view = await getRunWithSteps(suite.db, orgId, run.id);
      expect(view?.run.input).toEqual(bigValue(INLINE_VALUE_LIMIT_BYTES));
      expect(view?.run.output).toEqual(output);
      expect(view?.run.outputBlobId).toEqual(expect.any(String));
      expect(view?.steps[0]?.output).toEqual(output);
      expect((await listRuns(suite.db, orgId))[0]?.output).toBeNull();

      const other = await seedFlowVersion(suite.db);
      expect(await getRunWithSteps(suite.db, other.orgId, run.id)).toBeUndefined();
    });

    it("passes large step results between steps as a BlobRef", async () => {
      const { orgId, flowVersionId } = await seedFlowVersion(suite.db);
      const { run } = await createRun(suite.db, orgId, { flowVersionId, triggerKind: "manual" });
      expect(await offloadValue(suite.db, orgId, run.id, { small: 1 })).toEqual({ small: 1 });
      const big = bigValue(300 * 1024);
      const ref = await offloadValue(suite.db, orgId, run.id, big);
      expect(isBlobRef(ref)).toBe(true);
      expect(JSON.stringify(ref).length).toBeLessThan(100);
      expect(await resolveValue(suite.db, orgId, ref)).toEqual(big);
      expect(await resolveValue(suite.db, orgId, { small: 1 })).toEqual({ small: 1 });
      const other = await seedFlowVersion(suite.db);
      await expect(resolveValue(suite.db, other.orgId, ref)).rejects.toThrow(
        /was not found in this org/,
      );
    });
  });

  describe("run events", () => {
    it("gives concurrent appends distinct, gapless sequence numbers", async () => {
      const { orgId, flowVersionId } = await seedFlowVersion(suite.db);
      const { run } = await createRun(suite.db, orgId, { flowVersionId, triggerKind: "manual" });
      const count = 120;
      const appended = await Promise.all(
        Array.from({ length: count }, (_, index) =>
          appendRunEvent(suite.db, orgId, {
            runId: run.id,
            type: "log",
            nodeId: `node_${index % 7}`,
            payload: { level: "info", message: `line ${index}` },
          }),
        ),
      );
      const seqs = appended.map((result) => result.event.seq).sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: count }, (_, index) => index + 2));
      const stored = await listRunEvents(suite.db, orgId, run.id, { limit: 1000 });
      expect(stored.map((event) => event.seq)).toEqual(
        Array.from({ length: count + 1 }, (_, index) => index + 1),
      );
      expect(await listRunEvents(suite.db, orgId, run.id, { afterSeq: count - 1 })).toHaveLength(2);
    });

    it("appends an event with a dedupe key once, even when the appends race", async () => {
      const { orgId, flowVersionId } = await seedFlowVersion(suite.db);
      const { run } = await createRun(suite.db, orgId, { flowVersionId, triggerKind: "manual" });
      const results = await Promise.all(
        Array.from({ length: 6 }, () =>
          appendRunEvent(suite.db, orgId, {
            runId: run.id,
            type: "step.skipped",
            nodeId: "n1",
            payload: { attempt: 0 },
            dedupeKey: "skip:n1",
          }),
        ),
      );
      expect(results.filter((result) => result.created)).toHaveLength(1);
      expect(new Set(results.map((result) => result.event.seq))).toEqual(new Set([2]));
      const next = await appendRunEvent(suite.db, orgId, {
        runId: run.id,
        type: "log",
        payload: { level: "info", message: "after" },
      });
      expect(next.event.seq).toBe(3);
    });

    it("leaves no gap when the transaction around an append rolls back", async () => {
      const { orgId, flowVersionId } = await seedFlowVersion(suite.db);
      const { run } = await createRun(suite.db, orgId, { flowVersionId, triggerKind: "manual" });
      await expect(
        suite.db.transaction(async (tx) => {
          await appendRunEvent(tx, orgId, {
            runId: run.id,
            type: "log",
            payload: { level: "info", message: "lost" },
          });
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      const { event } = await appendRunEvent(suite.db, orgId, {
        runId: run.id,
        type: "log",
        payload: { level: "info", message: "kept" },
      });
      expect(event.seq).toBe(2);
      await expect(
        appendRunEvent(suite.db, orgId, {
          runId: "no-such-run",
          type: "log",
          payload: { level: "info", message: "x" },
        }),
      ).rejects.toBeInstanceOf(RunNotFoundError);
    });

    it("keeps run events and flow versions immutable", async () => {
      const { orgId, flowVersionId } = await seedFlowVersion(suite.db);
      const { run } = await createRun(suite.db, orgId, { flowVersionId, triggerKind: "manual" });
      await expect(
        suite.db
          .update(runEvents)
          .set({ type: "run.succeeded" })
          .where(and(eq(runEvents.runId, run.id), eq(runEvents.seq, 1))),
      ).rejects.toThrow();
      await expect(
        suite.db
          .update(flowVersions)
          .set({ message: "rewritten" })
          .where(eq(flowVersions.id, flowVersionId)),
      ).rejects.toThrow();
      const [{ count } = { count: -1 }] = await suite.db
        .select({ count: sql<number>`count(*)::int` })
        .from(runEvents)
        .where(eq(runEvents.runId, run.id));
      expect(count).toBe(1);
    });
  });
});
