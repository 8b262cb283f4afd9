import { describe, expect, it } from "vitest";

import { filterOptions } from "./options";

describe("filterOptions", () => {
  const models = ["gpt-4o", "gpt-4o-mini", "o4-mini", "text-embedding-3-small"];

  it("keeps every option for empty text and those containing the text, ignoring case", () => {
    expect(filterOptions(models, "")).toEqual(models);
    expect(filterOptions(models, "MINI")).toEqual(["gpt-4o-mini", "o4-mini"]);
    expect(filterOptions(models, "llama3")).toEqual([]);
  });

  it("puts the exact match first", () => {
    expect(filterOptions(models, "gpt-4o")).toEqual(["gpt-4o", "gpt-4o-mini"]);
    expect(filterOptions(["o4-mini", "o4"], "O4")).toEqual(["o4", "o4-mini"]);
  });
});
