import { describe, expect, it } from "vitest";

import { jsonText, parseJsonText } from "./json-text";

describe("JSON editor text", () => {
  it("reads JSON as JSON and other text as a string", () => {
    expect(parseJsonText('{"a": [1, true]}')).toEqual({ value: { a: [1, true] } });
    expect(parseJsonText("42")).toEqual({ value: 42 });
    expect(parseJsonText("hello")).toEqual({ value: "hello" });
    expect(parseJsonText("{{ nodes.fetch.body }}")).toEqual({ value: "{{ nodes.fetch.body }}" });
    expect(parseJsonText("  ")).toEqual({ value: undefined });
  });

  it("refuses half-typed objects and lists instead of keeping them as strings", () => {
    const result = parseJsonText('{"a":');
    expect("error" in result && result.error).toMatch(/^Not valid JSON/);
    expect("error" in parseJsonText("[1,")).toBe(true);
  });

  it("shows strings as they are and other values as indented JSON", () => {
    expect(jsonText("{{ trigger }}")).toBe("{{ trigger }}");
    expect(jsonText({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(jsonText(undefined)).toBe("");
  });
});
