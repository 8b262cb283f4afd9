"use client";

import { useQuery } from "@tanstack/react-query";
import { Play, SearchX } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";

import {
  Alert,
  Badge,
  Button,
  EmptyState,
  Label,
  Select,
  SelectContent,
  SelectItem,
  SelectTrigger,
  SelectValue,
  Table,
  TableBody,
  TableCaption,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@runnel/ui";

import type { RunFilters } from "./run-filters";
import type { RunRow } from "./use-run-pages";
import { formatDateTime } from "~/lib/format";
import { useTRPC } from "~/trpc/react";
import { formatCost, formatDuration } from "./format";
import { hasFilters, parseRunFilters, runFiltersQuery, TRIGGER_KINDS } from "./run-filters";
import { durationMs, isTerminal, RUN_STATUSES } from "./run-state";
import { StatusBadge, statusLabel } from "./status-badge";
import { useRunPages } from "./use-run-pages";

const ALL = "all";
const PAGE_SIZE = 25;

const triggerLabels: Record<string, string> = {
  manual: "Manual",
  webhook: "Webhook",
  schedule: "Schedule",
  api: "API",
  subflow: "Sub-flow",
};

function FilterSelect({
  id,
  label,
  value,
  onChange,
  options,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: { value: string; label: string }[];
}) {
  return (
    <div className="flex min-w-40 flex-col gap-1">
      <Label htmlFor={id}>{label}</Label>
      <Select value={value} onValueChange={onChange}>
        <SelectTrigger id={id}>
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          {options.map((o) => (
            <SelectItem key={o.value} value={o.value}>
              {o.label}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
    </div>
  );
}

function RunRowView({ run }: { run: RunRow }) {
  const duration = durationMs(run.startedAt, run.finishedAt);
  return (
    <TableRow data-run-id={run.id} data-status={run.status}>
      <TableCell>
        <StatusBadge status={run.status} />
      </TableCell>
      <TableCell>
        <Link
          href={`/runs/${run.id}`}
          className="font-medium text-link underline-offset-4 hover:underline"
          aria-label={`Run of ${run.flowName} started ${formatDateTime(run.createdAt)}: ${statusLabel(run.status)}`}
        >
          {run.flowName}
        </Link>
        {run.test ? (
          <Badge className="ml-2">Test</Badge>
        ) : (
          <span className="ml-2 text-xs text-fg-muted">v{run.version}</span>
        )}
      </TableCell>
      <TableCell>{triggerLabels[run.triggerKind] ?? run.triggerKind}</TableCell>
      <TableCell className="whitespace-nowrap">
        {formatDateTime(run.startedAt ?? run.createdAt)}
      </TableCell>
      <TableCell className="tabular-nums">
        {duration === null ? "—" : formatDuration(duration)}
        {!isTerminal(run.status) && duration !== null ? "…" : ""}
      </TableCell>
      <TableCell className="text-right tabular-nums">{formatCost(run.costUsd) ?? "—"}</TableCell>
    </TableRow>
  );
}

/** Every run of the org, newest first, filtered by flow, status, trigger and test runs; running rows refresh. */
export function RunsView() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const filters = parseRunFilters(params);
  const setFilters = (change: Partial<RunFilters>) => {
    const query = runFiltersQuery({ ...filters, ...change });
    router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
  };

  const flows = useQuery(trpc.flows.list.queryOptions({ limit: 100 }));
  const list = useRunPages({
    limit: PAGE_SIZE,
    ...(filters.flowId ? { flowId: filters.flowId } : {}),
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.test !== "all" ? { test: filters.test === "only" } : {}),
    ...(filters.trigger ? { triggerKind: filters.trigger } : {}),
  });

  const rows = list.rows;
  const filtered = hasFilters(filters);

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end gap-3" role="search" aria-label="Filter runs">
        <FilterSelect
          id="runs-filter-flow"
          label="Flow"
          value={filters.flowId ?? ALL}
          onChange={(v) => setFilters({ flowId: v === ALL ? null : v })}
          options={[
            { value: ALL, label: "All flows" },
            ...(flows.data?.items ?? []).map((f) => ({ value: f.id, label: f.name })),
            ...(filters.flowId && !flows.data?.items.some((f) => f.id === filters.flowId)
              ? [{ value: filters.flowId, label: filters.flowId }]
              : []),
          ]}
        />
        <FilterSelect
          id="runs-filter-status"
          label="Status"
          value={filters.status ?? ALL}
          onChange={(v) => setFilters({ status: v === ALL ? null : (v as RunFilters["status"]) })}
          options={[
            { value: ALL, label: "Any status" },
            ...RUN_STATUSES.map((s) => ({ value: s, label: statusLabel(s) })),
          ]}
        />
        <FilterSelect
          id="runs-filter-trigger"
          label="Trigger"
          value={filters.trigger ?? ALL}
          onChange={(v) => setFilters({ trigger: v === ALL ? null : (v as RunFilters["trigger"]) })}
          options={[
            { value: ALL, label: "Any trigger" },
            ...TRIGGER_KINDS.map((k) => ({ value: k, label: triggerLabels[k] ?? k })),
          ]}
        />
        <FilterSelect
          id="runs-filter-test"
          label="Test runs"
          value={filters.test}
          onChange={(v) => setFilters({ test: v as RunFilters["test"] })}
          options={[
            { value: "all", label: "Include test runs" },
            { value: "hide", label: "Hide test runs" },
            { value: "only", label: "Only test runs" },
          ]}
        />
        {filtered ? (
          <Button variant="ghost" onClick={() => router.replace(pathname, { scroll: false })}>
            Clear filters
          </Button>
        ) : null}
      </div>

      {list.error ? <Alert variant="danger">{list.error.message}</Alert> : null}
      {list.isPending ? <p className="text-sm text-fg-muted">Loading runs…</p> : null}

      {!list.isPending && !list.error && rows.length === 0 && !list.hasMore ? (
        filtered ? (
          <EmptyState
            icon={SearchX}
            title="No runs match these filters"
            description="Widen the filters, or clear them to see every run."
            action={
              <Button
                variant="secondary"
                onClick={() => router.replace(pathname, { scroll: false })}
              >
                Clear filters
              </Button>
            }
          />
        ) : (
          <EmptyState
            icon={Play}
            title="No runs yet"
            description={
              <>
                A run is one execution of a flow. Open a flow and press <strong>Run</strong> to try
                it with test input, or publish it and start it from a webhook, a schedule or the
                API. Its runs show up here, live.
              </>
            }
            action={
              <Button asChild>
                <Link href="/flows">Go to Flows</Link>
              </Button>
            }
          />
        )
      ) : null}

      {rows.length > 0 ? (
        <Table>
          <TableCaption>Runs, newest first</TableCaption>
          <TableHeader>
            <TableRow>
              <TableHead>Status</TableHead>
              <TableHead>Flow</TableHead>
              <TableHead>Trigger</TableHead>
              <TableHead>Started at</TableHead>
              <TableHead>Duration</TableHead>
              <TableHead className="text-right">Cost</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map((run) => (
              <RunRowView key={run.id} run={run} />
            ))}
          </TableBody>
        </Table>
      ) : null}

      {list.hasMore ? (
        <div className="flex items-center gap-3">
          <Button variant="secondary" onClick={list.loadMore} disabled={list.loadingMore}>
            {list.loadingMore ? "Loading…" : "Load more"}
          </Button>
        </div>
      ) : null}
    </div>
  );
}
