import { describe, expect, it } from "vitest";

import type { UsageDay } from "./chart-data";
import { chartData, rangeWindow } from "./chart-data";

const figures = (succeeded: number, failed: number, input: number, output: number) => ({
  runs: { succeeded, failed, total: succeeded + failed },
  tokens: { input, output, total: input + output },
});

const days: UsageDay[] = [
  {
    date: "2026-11-20",
    ...figures(3, 1, 100, 50),
    flows: { a: figures(3, 0, 100, 50), b: figures(0, 1, 0, 0) },
  },
  {
    date: "2026-11-21",
    ...figures(0, 0, 0, 0),
    flows: { a: figures(0, 0, 0, 0), b: figures(0, 0, 0, 0) },
  },
];
const flows = [
  { id: "a", name: "Alpha" },
  { id: "b", name: "Beta" },
];

describe("usage chart data", () => {
  it("windows the last N UTC days, today included", () => {
    expect(rangeWindow(7, Date.parse("2026-11-22T10:00:00Z"))).toEqual({
      from: "2026-11-16",
      to: "2026-11-22",
    });
  });

  it("stacks runs by status with zeros for statuses without runs", () => {
    const { series, data } = chartData(days, flows, "runs", "status");
    expect(series.map((s) => s.key)).toEqual([
      "succeeded",
      "failed",
      "cancelled",
      "waiting",
      "running",
      "queued",
    ]);
    expect(data[0]).toEqual({
      label: "Nov 20",
      values: { succeeded: 3, failed: 1, cancelled: 0, waiting: 0, running: 0, queued: 0 },
    });
  });

  it("stacks tokens by input/output, and either metric by flow", () => {
    expect(chartData(days, flows, "tokens", "status").data[0]?.values).toEqual({
      input: 100,
      output: 50,
    });
    const byFlow = chartData(days, flows, "runs", "flow");
    expect(byFlow.series).toEqual([
      { key: "a", label: "Alpha" },
      { key: "b", label: "Beta" },
    ]);
    expect(byFlow.data.map((d) => d.values)).toEqual([
      { a: 3, b: 1 },
      { a: 0, b: 0 },
    ]);
    expect(chartData(days, flows, "tokens", "flow").data[0]?.values).toEqual({ a: 150, b: 0 });
  });
});
