import { describe, expect, it } from "vitest";

import type { JsonValue } from "@runnel/nodes";
import { catalogue } from "@runnel/nodes";

import type { ExecutionPlan, NodeOutcome } from "../compiler";
import { advance, compileFlow } from "../compiler";
import { flowOf } from "../testing";
import { advanceFrom, successorsOf } from "./schedule";

function plan(): ExecutionPlan {
  const set = (id: string) => ({ id, type: "set", version: 1, name: id, config: {} });
  const compiled = compileFlow(
    flowOf(
      [
        { id: "check", type: "if", version: 1, name: "check", config: { condition: true } },
        set("yes"),
        set("yes_more"),
        set("no"),
        set("no_more"),
        set("no_last"),
        { id: "join", type: "merge", version: 1, name: "join", config: {} },
        set("after"),
      ],
      [
        ["start", "check"],
        ["check", "yes", "true"],
        ["yes", "yes_more"],
        ["check", "no", "false"],
        ["no", "no_more"],
        ["no_more", "no_last"],
        ["yes_more", "join"],
        ["no_last", "join"],
        ["join", "after"],
      ],
    ),
    { catalogue, credentials: [] },
  );
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
  return compiled.plan;
}

/** Runs a plan to the end, firing `port(id)` for every ready node, with either scheduler; returns the decisions. */
function drive(p: ExecutionPlan, port: (id: string) => string, incremental: boolean): string[] {
  const settled: Record<string, NodeOutcome> = {};
  const log: string[] = [];
  let candidates: Iterable<string> = p.order;
  for (;;) {
    const progress = incremental
      ? advanceFrom(p, "start", settled, candidates)
      : advance(p, "start", settled);
    if (!incremental) for (const id of progress.skipped) settled[id] = { status: "skipped" };
    for (const id of progress.skipped) log.push(`skip ${id}`);
    const [next] = progress.ready;
    if (next === undefined) return log;
    log.push(`run ${next}`);
    const value: JsonValue = { from: next };
    settled[next] = { status: "fired", port: port(next), value };
    candidates = successorsOf(p, next);
  }
}

describe("advanceFrom", () => {
  it("decides exactly what advance decides, in the same order, looking only at affected nodes", () => {
    const p = plan();
    const truePort = (id: string) => (id === "check" ? "true" : "out");
    const falsePort = (id: string) => (id === "check" ? "false" : "out");
    expect(drive(p, truePort, true)).toEqual(drive(p, truePort, false));
    expect(drive(p, falsePort, true)).toEqual(drive(p, falsePort, false));
    expect(drive(p, truePort, true)).toEqual([
      "run start",
      "run check",
      "skip no",
      "skip no_more",
      "skip no_last",
      "run yes",
      "run yes_more",
      "run join",
      "run after",
    ]);
  });
});
