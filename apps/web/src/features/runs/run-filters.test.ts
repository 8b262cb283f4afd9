import { describe, expect, it } from "vitest";

import { hasFilters, parseRunFilters, runFiltersQuery } from "./run-filters";

describe("runs page filters", () => {
  it("round-trips through the query string", () => {
    const filters = parseRunFilters(
      new URLSearchParams("flowId=flow_1&status=failed&trigger=webhook&test=hide"),
    );
    expect(filters).toEqual({
      flowId: "flow_1",
      status: "failed",
      trigger: "webhook",
      test: "hide",
    });
    expect(runFiltersQuery(filters)).toBe("flowId=flow_1&status=failed&trigger=webhook&test=hide");
    expect(hasFilters(filters)).toBe(true);
  });

  it("ignores values it does not know", () => {
    const filters = parseRunFilters(new URLSearchParams("status=exploded&trigger=&test=maybe"));
    expect(filters).toEqual({ flowId: null, status: null, trigger: null, test: "all" });
    expect(runFiltersQuery(filters)).toBe("");
    expect(hasFilters(filters)).toBe(false);
  });
});
