import { describe, expect, it } from "vitest";

import type { FlowDiff } from "./diff-view-model";
import {
  changeLines,
  comparedPair,
  formatValue,
  highlightMap,
  toggleSelection,
} from "./diff-view-model";

const diff: FlowDiff = {
  nodes: {
    added: [{ id: "summarise", type: "llm_text" }],
    removed: [{ id: "old_step", type: "code" }],
    changed: [
      {
        id: "fetch",
        changes: [
          { path: "config.url", before: "https://a.test", after: "https://b.test" },
          { path: "settings.retries", before: null, after: 2 },
        ],
      },
    ],
    moved: ["start"],
  },
  edges: {
    added: [
      { id: "e1", source: "fetch", sourcePort: "out", target: "summarise", targetPort: "in" },
    ],
    removed: [
      { id: "e0", source: "fetch", sourcePort: "out", target: "old_step", targetPort: "in" },
    ],
  },
  vars: [{ path: "threshold", before: 3, after: 5 }],
};

describe("highlightMap", () => {
  it("marks removed and changed nodes on the older side, added and changed on the newer", () => {
    expect(highlightMap(diff, "from")).toEqual({ fetch: "changed", old_step: "removed" });
    expect(highlightMap(diff, "to")).toEqual({ fetch: "changed", summarise: "added" });
  });
});

describe("changeLines", () => {
  it("describes every change with its config path", () => {
    expect(changeLines(diff).map((line) => line.text)).toEqual([
      "Added summarise (llm_text)",
      "Removed old_step (code)",
      'fetch config.url: "https://a.test" → "https://b.test"',
      "fetch settings.retries: (none) → 2",
      "Moved start",
      "Connected fetch.out → summarise.in",
      "Disconnected fetch.out → old_step.in",
      "vars.threshold: 3 → 5",
    ]);
  });

  it("shortens long values", () => {
    expect(formatValue("x".repeat(200))).toHaveLength(80);
  });
});

describe("version selection", () => {
  it("keeps at most two versions and orders the pair older first", () => {
    expect(toggleSelection([3], 1)).toEqual([3, 1]);
    expect(toggleSelection([3, 1], 2)).toEqual([1, 2]);
    expect(toggleSelection([3, 1], 3)).toEqual([1]);
    expect(comparedPair([3, 1])).toEqual({ from: 1, to: 3 });
    expect(comparedPair([3])).toBeNull();
    expect(comparedPair(["draft", 4])).toEqual({ from: 4, to: "draft" });
  });
});
