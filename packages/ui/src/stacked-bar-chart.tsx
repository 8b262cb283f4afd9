import { useId } from "react";

import { cn } from "./cn";

export interface ChartSeries {
  key: string;
  label: string;
  /** A CSS colour; default: the next `--color-chart-<n>` token. */
  color?: string;
}

export interface ChartDatum {
  /** The category under the bar ("Nov 21"). */
  label: string;
  values: Record<string, number>;
}

export interface StackedBarChartProps {
  /** Names the chart (figure caption and the image's accessible name). */
  title: string;
  description?: string;
  data: ChartDatum[];
  series: ChartSeries[];
  formatValue?: (value: number) => string;
  /** Heading of the category column in the data table ("Day"). */
  categoryLabel?: string;
  className?: string;
}

const WIDTH = 720;
const HEIGHT = 240;
const PAD = { top: 12, right: 8, bottom: 28, left: 48 };
const MAX_X_LABELS = 10;

/** 0, a round step, …: at most 5 grid lines covering `max`. */
export function niceTicks(max: number): number[] {
  if (max <= 0) return [0];
  const rough = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= rough) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let value = 0; value < max + step; value += step) ticks.push(value);
  return ticks;
}

export function seriesColor(series: ChartSeries, index: number): string {
  return series.color ?? `var(--color-chart-${(index % 8) + 1})`;
}

/**
 * Stacked bars in plain SVG, one bar per category, with a legend and the same numbers as a table (collapsed
 * under "Show data table"). Each segment has a <title> tooltip. Scales to its container's width.
 */
export function StackedBarChart({
  title,
  description,
  data,
  series,
  formatValue = (value) => value.toLocaleString("en-US"),
  categoryLabel = "Category",
  className,
}: StackedBarChartProps) {
  const id = useId();
  const totals = data.map((datum) =>
    series.reduce((sum, s) => sum + Math.max(datum.values[s.key] ?? 0, 0), 0),
  );
  const ticks = niceTicks(Math.max(0, ...totals));
  const top = ticks[ticks.length - 1] ?? 0;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const y = (value: number) => PAD.top + plotH - (top === 0 ? 0 : (value / top) * plotH);
  const slot = data.length === 0 ? plotW : plotW / data.length;
  const barW = Math.max(Math.min(slot * 0.7, 48), 1);
  const labelEvery = Math.max(1, Math.ceil(data.length / MAX_X_LABELS));
  const summary = `${title}: ${data.length} ${data.length === 1 ? "bar" : "bars"}, total ${formatValue(
    totals.reduce((a, b) => a + b, 0),
  )}.`;

  return (
    <figure className={cn("flex flex-col gap-3", className)} aria-labelledby={`${id}-title`}>
      <figcaption className="flex flex-col gap-0.5">
        <span id={`${id}-title`} className="text-sm font-semibold text-fg">
          {title}
        </span>
        {description ? <span className="text-sm text-fg-muted">{description}</span> : null}
      </figcaption>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={summary}
        className="h-auto w-full overflow-visible text-fg-muted"
      >
        {ticks.map((tick) => (
          <g key={tick}>
            <line
              x1={PAD.left}
              x2={WIDTH - PAD.right}
              y1={y(tick)}
              y2={y(tick)}
              style={{ stroke: "var(--color-border)" }}
              strokeDasharray={tick === 0 ? undefined : "3 3"}
            />
            <text
              x={PAD.left - 6}
              y={y(tick)}
              textAnchor="end"
              dominantBaseline="middle"
              fontSize={11}
              fill="currentColor"
            >
              {formatValue(tick)}
            </text>
          </g>
        ))}
        {data.map((datum, index) => {
          const x = PAD.left + index * slot + (slot - barW) / 2;
          let base = 0;
          return (
            <g key={`${datum.label}-${index}`}>
              {series.map((s, seriesIndex) => {
                const value = Math.max(datum.values[s.key] ?? 0, 0);
                if (value === 0) return null;
                const y0 = y(base);
                base += value;
                const y1 = y(base);
                return (
                  <rect
                    key={s.key}
                    x={x}
                    y={y1}
                    width={barW}
                    height={Math.max(y0 - y1, 0.5)}
                    style={{ fill: seriesColor(s, seriesIndex) }}
                  >
                    <title>{`${datum.label} · ${s.label}: ${formatValue(value)}`}</title>
                  </rect>
                );
              })}
              {index % labelEvery === 0 ? (
                <text
                  x={x + barW / 2}
                  y={HEIGHT - PAD.bottom + 16}
                  textAnchor="middle"
                  fontSize={11}
                  fill="currentColor"
                >
                  {datum.label}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-fg-muted" aria-label="Legend">
        {series.map((s, index) => (
          <li key={s.key} className="flex items-center gap-1.5">
            <span
              aria-hidden="true"
              className="inline-block size-3 rounded-sm"
              style={{ background: seriesColor(s, index) }}
            />
            {s.label}
          </li>
        ))}
      </ul>
      <details className="text-sm">
        <summary className="cursor-pointer text-link">Show data table</summary>
        <div className="mt-2 w-full overflow-x-auto">
          <table className="w-full text-sm">
            <caption className="sr-only">{title}</caption>
            <thead className="border-b border-border">
              <tr>
                <th scope="col" className="px-3 py-1 text-left font-medium text-fg-muted">
                  {categoryLabel}
                </th>
                {series.map((s) => (
                  <th
                    key={s.key}
                    scope="col"
                    className="px-3 py-1 text-right font-medium text-fg-muted"
                  >
                    {s.label}
                  </th>
                ))}
                <th scope="col" className="px-3 py-1 text-right font-medium text-fg-muted">
                  Total
                </th>
              </tr>
            </thead>
            <tbody>
              {data.map((datum, index) => (
                <tr
                  key={`${datum.label}-${index}`}
                  className="border-b border-border last:border-0"
                >
                  <th scope="row" className="px-3 py-1 text-left font-normal">
                    {datum.label}
                  </th>
                  {series.map((s) => (
                    <td key={s.key} className="px-3 py-1 text-right tabular-nums">
                      {formatValue(datum.values[s.key] ?? 0)}
                    </td>
                  ))}
                  <td className="px-3 py-1 text-right font-medium tabular-nums">
                    {formatValue(totals[index] ?? 0)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
