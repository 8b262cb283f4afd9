import { describe, expect, it } from "vitest";
import { z } from "zod";

import type { JsonValue } from "@runnel/nodes";
import { createCatalogue, defineNode, nodeRegistry } from "@runnel/nodes";

import type { ExecutionPlan } from "./plan";
import type { NodeOutcome } from "./progress";
import { compileFlow } from "./compile";
import { advance, inputsFor, isComplete, upstreamOutputs } from "./progress";

/** Two required inputs: it cannot run unless both are live. */
const pair = defineNode({
  type: "pair",
  version: 1,
  kind: "action",
  ui: {
    label: "Pair",
    category: "data",
    icon: "link",
    description: "Pairs two values (test node).",
  },
  config: z.object({}),
  inputs: { left: { type: "any" }, right: { type: "any" } },
  outputs: { out: { type: "array" } },
  execute: ({ inputs }) => ({ kind: "emit", port: "out", value: [inputs.left, inputs.right] }),
});
const catalogue = createCatalogue([...nodeRegistry, pair]);

function plan(definition: unknown): ExecutionPlan {
  const result = compileFlow(definition, { catalogue, credentials: [] });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.plan;
}

const node = (id: string, type: string, config: Record<string, JsonValue> = {}) => ({
  id,
  type,
  version: 1,
  name: id,
  config,
});
const edge = (source: string, target: string, sourcePort = "out", targetPort = "in") => ({
  id: `${source}_${sourcePort}_${target}`,
  source,
  sourcePort,
  target,
  targetPort,
});

/**
 * start → check (if) → yes (set) → join (merge) → done (set)
 *                    → no (set)  → then_no (set) ↗
 * hook (webhook) → check
 */
const branching = plan({
  nodes: [
    node("start", "manual_trigger"),
    node("hook", "webhook_trigger"),
    node("check", "if", { condition: "{{ trigger.go }}" }),
    node("yes", "set"),
    node("no", "set"),
    node("then_no", "set"),
    node("join", "merge"),
    node("done", "set"),
  ],
  edges: [
    edge("start", "check"),
    edge("hook", "check"),
    edge("check", "yes", "true"),
    edge("check", "no", "false"),
    edge("no", "then_no"),
    edge("yes", "join"),
    edge("then_no", "join"),
    edge("join", "done"),
  ],
});

const fired = (port: string, value: JsonValue): NodeOutcome => ({ status: "fired", port, value });

describe("advance (dead-path elimination)", () => {
  it("starts at the trigger that started the run and skips the others", () => {
    expect(advance(branching, "start", {})).toEqual({ ready: ["start"], skipped: ["hook"] });
    expect(() => advance(branching, "check", {})).toThrow(
      /"check" is not a trigger of this flow \(triggers: start, hook\)/,
    );
  });

  it("runs a node whose inputs are decided, and skips the branch that did not fire, transitively", () => {
    const settled: Record<string, NodeOutcome> = {
      start: fired("out", { go: true }),
      hook: { status: "skipped" },
    };
    expect(advance(branching, "start", settled)).toEqual({ ready: ["check"], skipped: [] });
    settled.check = fired("true", { go: true });
    expect(advance(branching, "start", settled)).toEqual({
      ready: ["yes"],
      skipped: ["no", "then_no"],
    });
    settled.no = { status: "skipped" };
    settled.then_no = { status: "skipped" };
    expect(advance(branching, "start", settled)).toEqual({ ready: ["yes"], skipped: [] });
    settled.yes = fired("out", { a: 1 });
    expect(advance(branching, "start", settled)).toEqual({ ready: ["join"], skipped: [] });
    expect(inputsFor(branching, "join", settled)).toEqual({ in: { yes: { a: 1 } } });
    settled.join = fired("out", { yes: { a: 1 } });
    expect(advance(branching, "start", settled)).toEqual({ ready: ["done"], skipped: [] });
    expect(upstreamOutputs(branching, "done", settled)).toEqual({
      start: { go: true },
      check: { go: true },
      yes: { a: 1 },
      join: { yes: { a: 1 } },
    });
    settled.done = fired("out", {});
    expect(isComplete(branching, settled)).toBe(true);
  });

  it("waits for every input of a merge to be decided", () => {
    const settled: Record<string, NodeOutcome> = {
      start: fired("out", {}),
      hook: { status: "skipped" },
      check: fired("false", {}),
      yes: { status: "skipped" },
      no: fired("out", { n: 1 }),
    };
    expect(advance(branching, "start", settled)).toEqual({ ready: ["then_no"], skipped: [] });
    expect(isComplete(branching, settled)).toBe(false);
  });

  it("skips a node when everything before it was skipped", () => {
    const settled: Record<string, NodeOutcome> = {
      start: fired("out", {}),
      hook: { status: "skipped" },
      check: { status: "skipped" },
    };
    expect(advance(branching, "start", settled).skipped).toEqual([
      "yes",
      "no",
      "then_no",
      "join",
      "done",
    ]);
  });

  it("takes the first live edge into a plain input", () => {
    const settled: Record<string, NodeOutcome> = {
      start: { status: "skipped" },
      hook: fired("out", { via: "hook" }),
    };
    expect(advance(branching, "hook", settled)).toEqual({ ready: ["check"], skipped: [] });
    expect(inputsFor(branching, "check", settled)).toEqual({ in: { via: "hook" } });
  });

  it("runs a node whose one input is joined from two branches once the live edge fired", () => {
    const twoInputs = plan({
      nodes: [
        node("start", "manual_trigger"),
        node("gate", "if", { condition: true }),
        node("a", "set"),
        node("after", "set"),
      ],
      edges: [
        edge("start", "gate"),
        edge("gate", "a", "true"),
        edge("a", "after"),
        edge("gate", "after", "false"),
      ],
    });
    const settled: Record<string, NodeOutcome> = { start: fired("out", 1), gate: fired("true", 1) };
    expect(advance(twoInputs, "start", settled)).toEqual({ ready: ["a"], skipped: [] });
    settled.a = fired("out", {});
    expect(advance(twoInputs, "start", settled)).toEqual({ ready: ["after"], skipped: [] });
  });

  it("skips a node whose required input is dead even though another input is live", () => {
    const pairs = plan({
      nodes: [
        node("start", "manual_trigger"),
        node("gate", "if", { condition: true }),
        node("both", "pair"),
      ],
      edges: [
        edge("start", "gate"),
        edge("gate", "both", "true", "left"),
        edge("gate", "both", "false", "right"),
      ],
    });
    expect(advance(pairs, "start", { start: fired("out", 1), gate: fired("true", 1) })).toEqual({
      ready: [],
      skipped: ["both"],
    });
  });

  it("routes through the error port like any other port", () => {
    const withErrorPort = plan({
      nodes: [
        node("start", "manual_trigger"),
        { ...node("risky", "set"), settings: { onError: "error_port" } },
        node("ok", "set"),
        node("report", "set"),
      ],
      edges: [edge("start", "risky"), edge("risky", "ok"), edge("risky", "report", "error")],
    });
    const settled: Record<string, NodeOutcome> = {
      start: fired("out", {}),
      risky: fired("error", { error: { message: "boom", name: "Error" } }),
    };
    expect(advance(withErrorPort, "start", settled)).toEqual({
      ready: ["report"],
      skipped: ["ok"],
    });
    expect(inputsFor(withErrorPort, "report", settled)).toEqual({
      in: { error: { message: "boom", name: "Error" } },
    });
  });
});
