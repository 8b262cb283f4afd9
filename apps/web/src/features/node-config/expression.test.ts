import { describe, expect, it } from "vitest";

import { applyCompletion, expressionCompletions, isExpression } from "./expression";

const upstream = [
  { id: "fetch_page", name: "Fetch page", type: "http_request" },
  { id: "summarise", name: "Summarise", type: "llm_text" },
];

function labels(text: string, caret = text.length) {
  return expressionCompletions(text, caret, upstream)?.items.map((i) => i.label) ?? [];
}

describe("isExpression", () => {
  it("is true only for values holding an unescaped {{", () => {
    expect(isExpression("{{ trigger.x }}")).toBe(true);
    expect(isExpression("https://x/{{ nodes.a.id }}")).toBe(true);
    expect(isExpression("plain")).toBe(false);
    expect(isExpression("\\{{ literal")).toBe(false);
    expect(isExpression(3)).toBe(false);
  });
});

describe("expressionCompletions", () => {
  it("offers the flow variables after vars.", () => {
    const result = expressionCompletions("{{ vars.th", 10, upstream, [
      "threshold",
      "team",
      "other",
    ]);
    expect(result?.items.map((i) => i.label)).toEqual(["vars.threshold"]);
  });

  it("offers the variables and upstream nodes right after {{", () => {
    expect(labels("{{")).toEqual([
      "trigger",
      "nodes",
      "vars",
      "run",
      "nodes.fetch_page",
      "nodes.summarise",
    ]);
    const result = expressionCompletions("Hi {{", 5, upstream);
    expect(result?.items[0]?.insert).toBe(" trigger }}");
  });

  it("filters by what is typed", () => {
    expect(labels("{{ tr")).toEqual(["trigger"]);
    expect(labels("{{ nodes.s }}", 10)).toEqual(["nodes.summarise"]);
    expect(labels("{{ nodes.zzz")).toEqual([]);
    expect(labels("{{ nodes.Fetch")).toEqual(["nodes.fetch_page"]);
    expect(labels("{{ run.fl")).toEqual(["run.flowId", "run.flowVersion"]);
  });

  it("offers nothing outside an expression, after it is closed, or deeper than a node id", () => {
    expect(labels("trigger")).toEqual([]);
    expect(labels("{{ trigger }} and tr")).toEqual([]);
    expect(labels("{{ nodes.fetch_page.bo")).toEqual([]);
    expect(labels("{{ vars.x")).toEqual([]);
    expect(labels("\\{{ tr")).toEqual([]);
  });

  it("completes `nodes.` outside braces into a whole expression", () => {
    const text = "Page: nodes.fe";
    const result = expressionCompletions(text, text.length, upstream);
    expect(result?.items.map((i) => i.insert)).toEqual(["{{ nodes.fetch_page }}"]);
    if (!result?.items[0]) throw new Error("expected a completion");
    expect(applyCompletion(text, result, result.items[0])).toEqual({
      text: "Page: {{ nodes.fetch_page }}",
      caret: "Page: {{ nodes.fetch_page".length,
    });
  });

  it("applies a completion inside an open expression, closing it and leaving the caret on the path", () => {
    const text = "{{ nodes.fe";
    const result = expressionCompletions(text, text.length, upstream);
    if (!result?.items[0]) throw new Error("expected a completion");
    expect(applyCompletion(text, result, result.items[0])).toEqual({
      text: "{{ nodes.fetch_page }}",
      caret: "{{ nodes.fetch_page".length,
    });
    const closed = "{{ nodes.su }} x";
    const inClosed = expressionCompletions(closed, 11, upstream);
    if (!inClosed?.items[0]) throw new Error("expected a completion");
    expect(applyCompletion(closed, inClosed, inClosed.items[0]).text).toBe(
      "{{ nodes.summarise }} x",
    );
  });
});
