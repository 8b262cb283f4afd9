import { describe, expect, it } from "vitest";

import { runPure } from "../test-context";
import { approvalNode } from "./approval";
import { loopNode } from "./loop";
import { respondNode } from "./respond";
import { subFlowNode } from "./sub-flow";
import { waitNode } from "./wait";

describe("wait node", () => {
  it("asks the engine to sleep for a duration, then passes its input on", async () => {
    await expect(
      runPure(
        waitNode,
        { mode: "duration", duration: { amount: 5, unit: "minutes" } },
        { in: { a: 1 } },
      ),
    ).resolves.toEqual({
      kind: "sleep",
      sleep: { durationMs: 300_000 },
      then: { kind: "emit", port: "out", value: { a: 1 } },
    });
  });

  it("sleeps until a moment, normalised to UTC", async () => {
    await expect(
      runPure(waitNode, { mode: "until", until: "2027-01-01T10:00:00+02:00" }),
    ).resolves.toEqual({
      kind: "sleep",
      sleep: { until: "2027-01-01T08:00:00.000Z" },
      then: { kind: "emit", port: "out", value: null },
    });
  });

  it("refuses unusable waits", async () => {
    await expect(runPure(waitNode, { mode: "until", until: "tomorrow" })).rejects.toThrow(
      /config\.until/,
    );
    await expect(
      runPure(waitNode, { mode: "duration", duration: { amount: -1, unit: "days" } }),
    ).rejects.toThrow(/config\.duration\.amount/);
    await expect(runPure(waitNode, { mode: "forever" })).rejects.toThrow(/config\.mode/);
  });
});

describe("approval node", () => {
  it("builds an approval request with the input as the data under review", async () => {
    const form = { type: "object", properties: { reason: { type: "string" } } };
    await expect(
      runPure(
        approvalNode,
        {
          assignees: ["u_1"],
          message: "Refund 40 EUR?",
          form,
          timeout: { amount: 2, unit: "hours" },
        },
        { in: { amount: 40 } },
      ),
    ).resolves.toEqual({
      kind: "approval",
      request: {
        assignees: ["u_1"],
        message: "Refund 40 EUR?",
        form,
        timeoutMs: 7_200_000,
        data: { amount: 40 },
      },
    });
  });

  it("defaults to a seven-day timeout and needs assignees", async () => {
    await expect(
      runPure(approvalNode, { assignees: ["a@example.com"], message: "ok?", data: "x" }),
    ).resolves.toMatchObject({
      request: { timeoutMs: 604_800_000, data: "x" },
    });
    await expect(runPure(approvalNode, { assignees: [], message: "ok?" })).rejects.toThrow(
      /config\.assignees/,
    );
  });

  it("declares approved, rejected and timeout ports with the outcome shape", () => {
    expect(Object.keys(approvalNode.outputs)).toEqual(["approved", "rejected", "timeout"]);
    expect(approvalNode.outputSchemas({}).approved).toMatchObject({
      required: ["decision", "data"],
    });
  });
});

describe("sub-flow node", () => {
  it("asks the engine to invoke a flow with the configured or the incoming input", async () => {
    await expect(
      runPure(subFlowNode, { flowId: "flow_b", version: 3 }, { in: { q: 1 } }),
    ).resolves.toEqual({
      kind: "invoke",
      flowId: "flow_b",
      version: 3,
      input: { q: 1 },
    });
    await expect(
      runPure(
        subFlowNode,
        { flowId: "flow_b", input: { fixed: true }, timeoutMs: 1000 },
        { in: 1 },
      ),
    ).resolves.toEqual({
      kind: "invoke",
      flowId: "flow_b",
      input: { fixed: true },
      timeoutMs: 1000,
    });
    await expect(runPure(subFlowNode, {})).rejects.toThrow(/config\.flowId/);
  });
});

describe("loop node", () => {
  it("asks the engine to run the body flow per item", async () => {
    await expect(
      runPure(loopNode, { items: [1, 2, 3], flowId: "body", concurrency: 2 }),
    ).resolves.toEqual({
      kind: "loop",
      items: [1, 2, 3],
      flowId: "body",
      concurrency: 2,
      continueOnItemError: false,
    });
    await expect(runPure(loopNode, { flowId: "body" }, { in: ["a"] })).resolves.toMatchObject({
      items: ["a"],
      concurrency: 1,
    });
  });

  it("bounds concurrency and needs array items", async () => {
    await expect(runPure(loopNode, { flowId: "body", concurrency: 0 })).rejects.toThrow(
      /config\.concurrency/,
    );
    await expect(runPure(loopNode, { flowId: "body", items: "abc" })).rejects.toThrow(
      /config\.items/,
    );
    await expect(runPure(loopNode, { flowId: "body" }, { in: { not: "array" } })).rejects.toThrow(
      /inputs\.in: expected array/,
    );
  });
});

describe("respond node", () => {
  it("shapes the HTTP response and passes it on", async () => {
    const response = { status: 201, headers: { "x-run": "1" }, body: { id: 9 } };
    await expect(runPure(respondNode, response)).resolves.toEqual({
      kind: "respond",
      response,
      then: { kind: "emit", port: "out", value: response },
    });
  });

  it("answers with the input by default and refuses bad statuses and headers", async () => {
    await expect(runPure(respondNode, {}, { in: ["x"] })).resolves.toMatchObject({
      response: { status: 200, headers: {}, body: ["x"] },
    });
    await expect(runPure(respondNode, { status: 99 })).rejects.toThrow(/config\.status/);
    await expect(runPure(respondNode, { headers: { "bad header": "x" } })).rejects.toThrow(
      /config\.headers/,
    );
    await expect(runPure(respondNode, { headers: { "Content-Length": "3" } })).rejects.toThrow(
      /set by the server/,
    );
  });
});
