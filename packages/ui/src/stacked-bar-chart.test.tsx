import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import { niceTicks, StackedBarChart } from "./stacked-bar-chart";

describe("niceTicks", () => {
  it("covers the maximum with round steps", () => {
    expect(niceTicks(0)).toEqual([0]);
    expect(niceTicks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(100)).toEqual([0, 25, 50, 75, 100]);
    expect(niceTicks(1234)).toEqual([0, 500, 1000, 1500]);
  });
});

describe("StackedBarChart", () => {
  const series = [
    { key: "ok", label: "Succeeded" },
    { key: "bad", label: "Failed" },
  ];

  it("draws one segment per non-zero value with a tooltip and names the chart with its total", () => {
    const html = renderToStaticMarkup(
      <StackedBarChart
        title="Runs per day"
        categoryLabel="Day"
        series={series}
        data={[
          { label: "Nov 20", values: { ok: 3, bad: 1 } },
          { label: "Nov 21", values: { ok: 0, bad: 0 } },
        ]}
      />,
    );
    expect(html.match(/<rect /g)).toHaveLength(2);
    expect(html).toContain("<title>Nov 20 · Failed: 1</title>");
    expect(html).toContain('role="img" aria-label="Runs per day: 2 bars, total 4."');
  });

  it("repeats the numbers in a table with a row per category and a total column", () => {
    const html = renderToStaticMarkup(
      <StackedBarChart
        title="Tokens"
        categoryLabel="Day"
        series={series}
        data={[{ label: "Nov 20", values: { ok: 1500, bad: 2 } }]}
      />,
    );
    expect(html).toContain(
      '<th scope="col" class="px-3 py-1 text-left font-medium text-fg-muted">Day</th>',
    );
    expect(html).toMatch(/<th scope="row"[^>]*>Nov 20<\/th>.*1,500.*>2<.*1,502/);
  });
});
