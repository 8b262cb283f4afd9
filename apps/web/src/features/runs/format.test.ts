import { describe, expect, it } from "vitest";

import { formatCost } from "./format";

describe("formatCost", () => {
  it("shows cents for a dollar amount, two significant digits below a cent, and a floor for tiny costs", () => {
    expect(formatCost(1.2449)).toBe("$1.24");
    expect(formatCost(0.00045)).toBe("$0.00045");
    expect(formatCost(0.0123)).toBe("$0.01");
    expect(formatCost(0.0000013)).toBe("< $0.0001");
  });

  it("shows nothing when nothing was spent", () => {
    expect(formatCost(0)).toBeNull();
  });
});
