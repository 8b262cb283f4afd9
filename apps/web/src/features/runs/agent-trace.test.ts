import { describe, expect, it } from "vitest";

import { agentTraceOf, approvalLabel } from "./agent-trace";

const usage = { inputTokens: 40, outputTokens: 8, totalTokens: 48, costUsd: 0.000011 };

describe("agentTraceOf", () => {
  it("reads the steps of an agent's result", () => {
    const steps = [
      {
        index: 0,
        kind: "model",
        toolCalls: [{ id: "c1", name: "lookup", arguments: { id: 7 } }],
        finishReason: "tool-calls",
        usage,
        latencyMs: 120,
      },
      {
        index: 1,
        kind: "tool",
        toolCallId: "c1",
        tool: "lookup",
        arguments: { id: 7 },
        result: { name: "Ada" },
        latencyMs: 30,
        approval: { approvalId: "a1", decision: "approved", editedArguments: false },
      },
      { index: 2, kind: "model", text: "Ada", finishReason: "stop", usage, latencyMs: 90 },
    ];
    const trace = agentTraceOf({ text: "Ada", finishReason: "stop", steps, usage });
    expect(trace?.map((step) => step.kind)).toEqual(["model", "tool", "model"]);
  });

  it("is null for another node's output, no output and a malformed trace", () => {
    expect(agentTraceOf({ text: "hi", finishReason: "stop", usage })).toBeNull();
    expect(agentTraceOf(undefined)).toBeNull();
    expect(
      agentTraceOf({ finishReason: "stop", usage, steps: [{ index: 0, kind: "thought" }] }),
    ).toBeNull();
  });
});

describe("approvalLabel", () => {
  it("says who decided, whether the arguments were edited and the comment", () => {
    expect(
      approvalLabel({
        approvalId: "a",
        decision: "approved",
        decidedBy: "ada@example.com",
        editedArguments: true,
      }),
    ).toBe("Approved by ada@example.com (arguments edited)");
    expect(
      approvalLabel({
        approvalId: "a",
        decision: "rejected",
        comment: "not this customer",
        editedArguments: false,
      }),
    ).toBe("Rejected: not this customer");
    expect(approvalLabel({ approvalId: "a", decision: "timeout", editedArguments: false })).toBe(
      "No decision in time",
    );
  });
});
