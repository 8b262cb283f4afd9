"use client";

import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";

import {
  Alert,
  Card,
  CardContent,
  Label,
  Select,
  SelectContent,
  SelectItem,
  SelectTrigger,
  SelectValue,
  Skeleton,
  StackedBarChart,
} from "@runnel/ui";

import type { Breakdown, RangeDays } from "./chart-data";
import { useTRPC } from "~/trpc/react";
import { formatCost } from "../runs/format";
import { chartData, RANGES, rangeWindow } from "./chart-data";
import { Segmented } from "./segmented";

const ALL = "all";
const number = new Intl.NumberFormat("en-US");
const compact = new Intl.NumberFormat("en-US", { notation: "compact" });

/** Runs and tokens per day of the active org, for the last 7/30/90 days, optionally of one flow. */
export function UsageView() {
  const trpc = useTRPC();
  const [range, setRange] = useState<RangeDays>(30);
  const [flowId, setFlowId] = useState<string>(ALL);
  const [breakdown, setBreakdown] = useState<Breakdown>("status");
  const period = useMemo(() => rangeWindow(range), [range]);
  const flows = useQuery(trpc.flows.list.queryOptions({ limit: 100 }));
  const usage = useQuery(
    trpc.usage.daily.queryOptions({ ...period, ...(flowId === ALL ? {} : { flowId }) }),
  );
  const runs = useMemo(
    () => (usage.data ? chartData(usage.data.days, usage.data.flows, "runs", breakdown) : null),
    [usage.data, breakdown],
  );
  const tokens = useMemo(
    () => (usage.data ? chartData(usage.data.days, usage.data.flows, "tokens", breakdown) : null),
    [usage.data, breakdown],
  );
  const totals = usage.data?.days.reduce(
    (sum, day) => ({
      runs: sum.runs + (day.runs.total ?? 0),
      failed: sum.failed + (day.runs.failed ?? 0),
      tokens: sum.tokens + day.tokens.total,
      costUsd: sum.costUsd + day.costUsd,
    }),
    { runs: 0, failed: 0, tokens: 0, costUsd: 0 },
  );

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-end gap-4">
        <Segmented
          label="Range"
          value={range}
          options={RANGES.map((days) => ({ value: days, label: `${days} days` }))}
          onChange={setRange}
        />
        <Segmented
          label="Stack by"
          value={breakdown}
          options={[
            { value: "status", label: "By status" },
            { value: "flow", label: "By flow" },
          ]}
          onChange={setBreakdown}
        />
        <div className="flex min-w-56 flex-col gap-1.5">
          <Label htmlFor="usage-flow">Flow</Label>
          <Select value={flowId} onValueChange={setFlowId}>
            <SelectTrigger id="usage-flow">
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              <SelectItem value={ALL}>All flows</SelectItem>
              {flows.data?.items.map((flow) => (
                <SelectItem key={flow.id} value={flow.id}>
                  {flow.name}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        </div>
      </div>
      {usage.error ? (
        <Alert variant="danger">Could not load usage: {usage.error.message}</Alert>
      ) : !usage.data || !runs || !tokens || !totals ? (
        <div role="status" className="flex flex-col gap-4">
          <span className="sr-only">Loading usage…</span>
          <Skeleton className="h-20 w-full" />
          <Skeleton className="h-64 w-full" />
        </div>
      ) : (
        <>
          <ul className="grid gap-4 sm:grid-cols-4" aria-label="Totals">
            {[
              { label: "Runs", value: number.format(totals.runs) },
              { label: "Failed runs", value: number.format(totals.failed) },
              { label: "Tokens", value: number.format(totals.tokens) },
              { label: "Model cost", value: formatCost(totals.costUsd) ?? "$0" },
            ].map((item) => (
              <li key={item.label}>
                <Card>
                  <CardContent className="flex flex-col gap-1 pt-5">
                    <p className="text-sm text-fg-muted">{item.label}</p>
                    <p className="text-2xl font-semibold tabular-nums">{item.value}</p>
                  </CardContent>
                </Card>
              </li>
            ))}
          </ul>
          <Card>
            <CardContent className="pt-5">
              <StackedBarChart
                title="Runs per day"
                description={`${usage.data.from} to ${usage.data.to} (UTC days)`}
                categoryLabel="Day"
                series={runs.series}
                data={runs.data}
              />
            </CardContent>
          </Card>
          <Card>
            <CardContent className="pt-5">
              <StackedBarChart
                title="Tokens per day"
                description="Tokens used by the runs' LLM and agent nodes"
                categoryLabel="Day"
                series={tokens.series}
                data={tokens.data}
                formatValue={(value) =>
                  value >= 10_000 ? compact.format(value) : number.format(value)
                }
              />
            </CardContent>
          </Card>
        </>
      )}
    </div>
  );
}
