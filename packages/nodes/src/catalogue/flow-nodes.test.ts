import { describe, expect, it } from "vitest";

import { runPure } from "../test-context";
import { ifNode } from "./if";
import { mergeNode } from "./merge";
import { switchNode } from "./switch";

describe("if node", () => {
  it("fires true or false with its input", async () => {
    await expect(runPure(ifNode, { condition: true }, { in: { n: 1 } })).resolves.toEqual({
      kind: "emit",
      port: "true",
      value: { n: 1 },
    });
    await expect(runPure(ifNode, { condition: false }, { in: [1] })).resolves.toEqual({
      kind: "emit",
      port: "false",
      value: [1],
    });
  });

  it("needs a boolean condition and an input", async () => {
    await expect(runPure(ifNode, { condition: "yes" }, { in: 1 })).rejects.toThrow(
      /config\.condition/,
    );
    await expect(runPure(ifNode, { condition: true }, {})).rejects.toThrow(
      /inputs\.in: required input/,
    );
  });
});

describe("switch node", () => {
  const cases = [
    { name: "small", when: false },
    { name: "medium", when: true },
    { name: "large", when: true },
  ];

  it("fires the first matching case, else default", async () => {
    await expect(runPure(switchNode, { cases }, { in: 5 })).resolves.toEqual({
      kind: "emit",
      port: "medium",
      value: 5,
    });
    await expect(
      runPure(switchNode, { cases: [{ name: "x", when: false }] }, { in: 5 }),
    ).resolves.toEqual({ kind: "emit", port: "default", value: 5 });
  });

  it("names one output port per case, even before expressions are evaluated", () => {
    const raw = {
      cases: [
        { name: "small", when: "{{ nodes.a.n < 10 }}" },
        { name: "big", when: "{{ nodes.a.n >= 10 }}" },
      ],
    };
    expect(Object.keys(switchNode.outputPorts(raw)).sort()).toEqual(["big", "default", "small"]);
    expect(Object.keys(switchNode.outputPorts({ cases: "nonsense" }))).toEqual(["default"]);
  });

  it("refuses duplicate and reserved case names", () => {
    const twice = switchNode.config.safeParse({
      cases: [
        { name: "a", when: true },
        { name: "a", when: false },
      ],
    });
    expect(twice.error?.issues[0]).toMatchObject({
      path: ["cases", 1, "name"],
      message: 'case "a" is declared twice',
    });
    expect(switchNode.config.safeParse({ cases: [{ name: "default", when: true }] }).success).toBe(
      false,
    );
    expect(switchNode.config.safeParse({ cases: [{ name: "error", when: true }] }).success).toBe(
      false,
    );
    expect(switchNode.config.safeParse({ cases: [] }).success).toBe(false);
  });
});

describe("merge node", () => {
  it("combines live inputs keyed by source node", async () => {
    await expect(runPure(mergeNode, {}, { in: { left: { a: 1 }, right: [2] } })).resolves.toEqual({
      kind: "emit",
      port: "out",
      value: { left: { a: 1 }, right: [2] },
    });
  });

  it("appends arrays and values in edge order", async () => {
    await expect(
      runPure(mergeNode, { mode: "append" }, { in: { first: [1, 2], second: 3, third: [[4]] } }),
    ).resolves.toMatchObject({
      value: [1, 2, 3, [4]],
    });
  });

  it("runs with no live inputs at all", async () => {
    await expect(runPure(mergeNode, { mode: "append" }, {})).resolves.toMatchObject({ value: [] });
  });
});
