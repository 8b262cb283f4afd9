import type { Database } from "@runnel/db";
import type { RunStatus } from "@runnel/db/schema";
import { and, eq, gte, lt, sql } from "@runnel/db";
import { flows, RUN_STATUSES, runs } from "@runnel/db/schema";

import type { UsageInput } from "./usage.schema";
import { fieldError } from "../trpc";
import { DEFAULT_USAGE_DAYS, MAX_USAGE_DAYS } from "./usage.schema";

const DAY_MS = 86_400_000;

export type RunCounts = Record<RunStatus | "total", number>;
export interface TokenCounts {
  input: number;
  output: number;
  total: number;
}
export interface UsageFigures {
  runs: RunCounts;
  tokens: TokenCounts;
  /** USD of the runs' model calls (docs/ai.md, Usage and cost). */
  costUsd: number;
}

function zero(): UsageFigures {
  const runs = { total: 0 } as RunCounts;
  for (const status of RUN_STATUSES) runs[status] = 0;
  return { runs, tokens: { input: 0, output: 0, total: 0 }, costUsd: 0 };
}

interface UsageRow {
  status: RunStatus;
  count: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
}

function add(into: UsageFigures, row: UsageRow) {
  const [input, output] = [Number(row.tokensIn), Number(row.tokensOut)];
  into.runs[row.status] += Number(row.count);
  into.runs.total += Number(row.count);
  into.tokens.input += input;
  into.tokens.output += output;
  into.tokens.total += input + output;
  into.costUsd += Number(row.costUsd);
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The window's first and last day (UTC, both included), checked: from ≤ to, at most MAX_USAGE_DAYS days. */
export function usageWindow(input: UsageInput, now = Date.now()): { from: string; to: string } {
  const to = input.to ?? isoDay(now);
  const from = input.from ?? isoDay(Date.parse(to) - (DEFAULT_USAGE_DAYS - 1) * DAY_MS);
  const days = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
  if (days < 1) throw fieldError(["from"], `from (${from}) is after to (${to})`);
  if (days > MAX_USAGE_DAYS)
    throw fieldError(
      ["from"],
      `The window ${from} to ${to} has ${days} days; ask for at most ${MAX_USAGE_DAYS}`,
    );
  return { from, to };
}

/**
 * Runs (by status), tokens and cost of the org's runs per UTC day of their creation and per flow, every day of the window
 * present (zeros for days without runs) and every flow with runs in the window present on every day. Tokens are the
 * runs' totals, which the engine sums from their steps (LLM and agent nodes record them).
 */
export async function dailyUsage(
  db: Database,
  orgId: string,
  input: UsageInput,
  flowName?: { id: string; name: string },
) {
  const { from, to } = usageWindow(input);
  const day = sql<string>`to_char(${runs.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`;
  const conditions = [
    eq(runs.orgId, orgId),
    gte(runs.createdAt, new Date(`${from}T00:00:00Z`)),
    lt(runs.createdAt, new Date(Date.parse(`${to}T00:00:00Z`) + DAY_MS)),
  ];
  if (input.flowId !== undefined) conditions.push(eq(runs.flowId, input.flowId));
  const rows = await db
    .select({
      day,
      flowId: runs.flowId,
      flowName: flows.name,
      status: runs.status,
      count: sql<number>`count(*)::float8`,
      tokensIn: sql<number>`coalesce(sum(${runs.tokensIn}), 0)::float8`,
      tokensOut: sql<number>`coalesce(sum(${runs.tokensOut}), 0)::float8`,
      costUsd: sql<number>`coalesce(sum(${runs.costUsd}), 0)::float8`,
    })
    .from(runs)
    .innerJoin(flows, eq(flows.id, runs.flowId))
    .where(and(...conditions))
    .groupBy(day, runs.flowId, flows.name, runs.status);

  const flowNames = new Map<string, string>(flowName ? [[flowName.id, flowName.name]] : []);
  for (const row of rows) flowNames.set(row.flowId, row.flowName);
  const flowList = [...flowNames]
    .map(([id, name]) => ({ id, name }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));

  const days = new Map<string, UsageFigures & { flows: Record<string, UsageFigures> }>();
  for (let ms = Date.parse(from); ms <= Date.parse(to); ms += DAY_MS) {
    days.set(isoDay(ms), {
      ...zero(),
      flows: Object.fromEntries(flowList.map((flow) => [flow.id, zero()])),
    });
  }
  const totals = zero();
  const perFlow = new Map(flowList.map((flow) => [flow.id, zero()]));
  for (const row of rows) {
    const entry = days.get(row.day);
    const figures = [entry, entry?.flows[row.flowId], totals, perFlow.get(row.flowId)];
    for (const into of figures) if (into) add(into, row);
  }
  return {
    from,
    to,
    flowId: input.flowId ?? null,
    flows: flowList,
    days: [...days].map(([date, figures]) => ({ date, ...figures })),
    totals,
    byFlow: flowList.map((flow) => ({ ...flow, ...(perFlow.get(flow.id) ?? zero()) })),
  };
}
