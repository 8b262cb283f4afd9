/**
 * Turns `usage.daily` days into StackedBarChart data: runs stacked by status or by flow, tokens stacked by
 * input/output or by flow.
 */
export interface UsageFigures {
  runs: Record<string, number>;
  tokens: { input: number; output: number; total: number };
}

export interface UsageDay extends UsageFigures {
  /** YYYY-MM-DD (UTC). */
  date: string;
  flows: Record<string, UsageFigures>;
}

export type Metric = "runs" | "tokens";
export type Breakdown = "status" | "flow";

export interface Series {
  key: string;
  label: string;
  color?: string;
}

export const RANGES = [7, 30, 90] as const;
export type RangeDays = (typeof RANGES)[number];

const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The last `days` UTC days, today included. */
export function rangeWindow(days: RangeDays, now = Date.now()): { from: string; to: string } {
  return { from: isoDay(now - (days - 1) * DAY_MS), to: isoDay(now) };
}

/** Run statuses in stacking order (bottom first); colours fixed so a status keeps its colour. */
export const STATUS_SERIES: Series[] = [
  { key: "succeeded", label: "Succeeded", color: "var(--color-chart-2)" },
  { key: "failed", label: "Failed", color: "var(--color-chart-3)" },
  { key: "cancelled", label: "Cancelled", color: "var(--color-chart-7)" },
  { key: "waiting", label: "Waiting", color: "var(--color-chart-4)" },
  { key: "running", label: "Running", color: "var(--color-chart-1)" },
  { key: "queued", label: "Queued", color: "var(--color-chart-5)" },
];

export const TOKEN_SERIES: Series[] = [
  { key: "input", label: "Input tokens", color: "var(--color-chart-1)" },
  { key: "output", label: "Output tokens", color: "var(--color-chart-5)" },
];

const dayLabel = new Intl.DateTimeFormat("en-US", {
  month: "short",
  day: "numeric",
  timeZone: "UTC",
});

export function formatDay(date: string): string {
  return dayLabel.format(new Date(`${date}T00:00:00Z`));
}

function figure(figures: UsageFigures | undefined, metric: Metric): number {
  if (!figures) return 0;
  return metric === "runs" ? (figures.runs.total ?? 0) : figures.tokens.total;
}

export function chartData(
  days: UsageDay[],
  flows: { id: string; name: string }[],
  metric: Metric,
  breakdown: Breakdown,
): { series: Series[]; data: { label: string; values: Record<string, number> }[] } {
  if (breakdown === "flow") {
    return {
      series: flows.map((flow) => ({ key: flow.id, label: flow.name })),
      data: days.map((day) => ({
        label: formatDay(day.date),
        values: Object.fromEntries(
          flows.map((flow) => [flow.id, figure(day.flows[flow.id], metric)]),
        ),
      })),
    };
  }
  if (metric === "tokens") {
    return {
      series: TOKEN_SERIES,
      data: days.map((day) => ({
        label: formatDay(day.date),
        values: { input: day.tokens.input, output: day.tokens.output },
      })),
    };
  }
  return {
    series: STATUS_SERIES,
    data: days.map((day) => ({
      label: formatDay(day.date),
      values: Object.fromEntries(STATUS_SERIES.map((s) => [s.key, day.runs[s.key] ?? 0])),
    })),
  };
}
