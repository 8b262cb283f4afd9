import { describe, expect, it } from "vitest";

import { scanTemplate, skipCelString } from "./template";

describe("skipCelString", () => {
  it("skips escaped quotes in a plain string and takes backslashes literally after an r prefix", () => {
    const plain = String.raw`"a\"}}" + x`;
    expect(plain.slice(skipCelString(plain, 0))).toBe(" + x");
    const raw = String.raw`r"a\" + x`;
    expect(raw.slice(skipCelString(raw, 1))).toBe(" + x");
    const rawBytes = String.raw`rb'\' + x`;
    expect(rawBytes.slice(skipCelString(rawBytes, 2))).toBe(" + x");
    const bytes = String.raw`b'\'' + x`;
    expect(bytes.slice(skipCelString(bytes, 1))).toBe(" + x");
  });

  it("skips triple-quoted strings across lines; a single-quoted one ends at the line break", () => {
    const triple = `"""a\n"b"""" tail`;
    expect(triple.slice(skipCelString(triple, 0))).toBe('" tail');
    const open = `'abc\nrest`;
    expect(open.slice(skipCelString(open, 0))).toBe("\nrest");
  });
});

describe("scanTemplate", () => {
  it("keeps }} inside a raw string within the expression", () => {
    expect(scanTemplate(String.raw`x {{ r"\}}" + nodes.a }} y`)).toEqual([
      { kind: "text", text: "x " },
      { kind: "expression", source: String.raw`r"\}}" + nodes.a`, offset: 5 },
      { kind: "text", text: " y" },
    ]);
  });
});
