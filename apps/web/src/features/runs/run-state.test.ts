import { describe, expect, it } from "vitest";

import type { RunSummary, RunWatchEvent } from "./run-state";
import {
  applyRunEvent,
  attemptsOf,
  durationMs,
  initialRunState,
  isTerminal,
  nodeStatusOf,
} from "./run-state";

const t0 = new Date("2026-11-22T03:00:00.000Z");
const at = (ms: number) => new Date(t0.getTime() + ms);

const queuedRun: RunSummary = {
  id: "run_1",
  status: "queued",
  startedAt: null,
  finishedAt: null,
  eventSeq: 1,
};

let seq = 1;
function event(type: string, nodeId: string | null, payload: unknown, ms: number): RunWatchEvent {
  seq += 1;
  return { seq, type, nodeId, payload, createdAt: at(ms).toISOString() };
}

function replay(events: RunWatchEvent[], run: RunSummary = queuedRun) {
  return events.reduce(applyRunEvent, initialRunState(run, []));
}

describe("run state reducer", () => {
  seq = 1;
  const events = [
    event("run.running", null, { previous: "queued" }, 0),
    event("step.started", "start", { attempt: 0, input: { value: { name: "a" }, bytes: 12 } }, 10),
    event(
      "step.succeeded",
      "start",
      {
        attempt: 0,
        output: { value: { name: "a" }, bytes: 12 },
        tokensIn: 0,
        tokensOut: 0,
        durationMs: 5,
      },
      15,
    ),
    event("step.skipped", "else_branch", { attempt: 0 }, 16),
    event("step.started", "ask", { attempt: 0, input: { value: {}, bytes: 2 } }, 20),
    event(
      "step.failed",
      "ask",
      {
        attempt: 0,
        error: { message: "429 Too Many Requests" },
        tokensIn: 3,
        tokensOut: 0,
        durationMs: 30,
      },
      50,
    ),
    event("step.started", "ask", { attempt: 1, input: { value: {}, bytes: 2 } }, 1050),
    event(
      "step.succeeded",
      "ask",
      {
        attempt: 1,
        output: { bytes: 300_000 },
        tokensIn: 120,
        tokensOut: 40,
        costUsd: 0.0021,
        durationMs: 400,
      },
      1450,
    ),
    event("step.waiting", "approve", { attempt: 0, reason: "approval" }, 1460),
    event("run.waiting", null, { previous: "running", reason: "approval" }, 1461),
  ];

  it("tracks the run, every attempt and each node's latest status", () => {
    const state = replay(events);
    expect(state.lastSeq).toBe(events.at(-1)?.seq);
    expect(state.run.status).toBe("waiting");
    expect(state.run.startedAt).toEqual(at(0));
    expect(nodeStatusOf(state.steps)).toEqual({
      start: "succeeded",
      else_branch: "skipped",
      ask: "succeeded",
      approve: "waiting",
    });
    const ask = attemptsOf(state.steps, "ask");
    expect(ask.map((s) => [s.attempt, s.status])).toEqual([
      [0, "failed"],
      [1, "succeeded"],
    ]);
    expect(ask[0]?.error?.message).toBe("429 Too Many Requests");
    expect(ask[1]).toMatchObject({
      tokensIn: 120,
      tokensOut: 40,
      costUsd: 0.0021,
      startedAt: at(1050),
      finishedAt: at(1450),
    });
    expect(ask[1]?.omittedBytes).toEqual({ output: 300_000 });
    expect(ask[1]?.output).toBeUndefined();
    expect(attemptsOf(state.steps, "start")[0]).toMatchObject({
      input: { name: "a" },
      output: { name: "a" },
    });
  });

  it("ignores events it already has, so a resumed or overlapping stream changes nothing", () => {
    const once = replay(events);
    const twice = events.reduce(applyRunEvent, once);
    expect(twice).toBe(once);
  });

  it("starts from a runs.get snapshot and applies only the events after its event_seq", () => {
    const snapshot = initialRunState(
      { ...queuedRun, status: "running", startedAt: at(0), eventSeq: 3 },
      [
        {
          nodeId: "start",
          attempt: 0,
          status: "succeeded",
          input: { name: "a" },
          output: { name: "a" },
          startedAt: at(10),
          finishedAt: at(15),
          tokensIn: 0,
          tokensOut: 0,
          costUsd: 0,
        },
      ],
    );
    const state = events.reduce(applyRunEvent, snapshot);
    expect(attemptsOf(state.steps, "start")).toHaveLength(1);
    expect(nodeStatusOf(state.steps).ask).toBe("succeeded");
  });

  it("ends with the run's outcome", () => {
    seq = 20;
    const failed = replay([
      event("run.running", null, { previous: "queued" }, 0),
      event("step.started", "fetch", { attempt: 0, input: { value: null, bytes: 4 } }, 1),
      event(
        "step.failed",
        "fetch",
        {
          attempt: 0,
          error: { message: "boom", stack: "Error: boom\n  at x" },
          tokensIn: 0,
          tokensOut: 0,
          durationMs: 9,
        },
        10,
      ),
      event(
        "run.failed",
        null,
        { previous: "running", error: { message: "boom", nodeId: "fetch" }, failedNodeId: "fetch" },
        11,
      ),
    ]);
    expect(failed.run).toMatchObject({
      status: "failed",
      failedNodeId: "fetch",
      finishedAt: at(11),
    });
    expect(failed.run.error?.message).toBe("boom");
    expect(isTerminal(failed.run.status)).toBe(true);

    const succeeded = replay([
      event("run.running", null, { previous: "queued" }, 0),
      event(
        "run.succeeded",
        null,
        { previous: "running", output: { value: { ok: true }, bytes: 11 } },
        5,
      ),
    ]);
    expect(succeeded.run).toMatchObject({
      status: "succeeded",
      output: { ok: true },
      finishedAt: at(5),
    });
    expect(isTerminal("running")).toBe(false);
  });

  it("marks a step whose output a rerun reused", () => {
    seq = 60;
    const state = replay([
      event(
        "step.succeeded",
        "greet",
        {
          attempt: 0,
          output: { value: { greeting: "hi" }, bytes: 15 },
          tokensIn: 0,
          tokensOut: 0,
          durationMs: 0,
          reusedFromRunId: "run_0",
        },
        3,
      ),
    ]);
    expect(attemptsOf(state.steps, "greet")[0]).toMatchObject({
      status: "succeeded",
      reusedFromRunId: "run_0",
      output: { greeting: "hi" },
    });
  });

  it("derives a start time from durationMs when the start event was not seen", () => {
    seq = 40;
    const state = replay([
      event(
        "step.succeeded",
        "n",
        { attempt: 0, output: { value: 1, bytes: 1 }, tokensIn: 0, tokensOut: 0, durationMs: 250 },
        1000,
      ),
    ]);
    expect(attemptsOf(state.steps, "n")[0]?.startedAt).toEqual(at(750));
    expect(durationMs(at(750), at(1000))).toBe(250);
    expect(durationMs(null, null)).toBeNull();
    expect(durationMs(at(0), null, at(42))).toBe(42);
  });
});
