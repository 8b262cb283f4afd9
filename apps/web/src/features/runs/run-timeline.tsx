"use client";

import { useEffect, useState } from "react";

import { cn } from "@runnel/ui";

import type { RunStep } from "./run-state";
import { formatDuration } from "./format";
import { durationMs } from "./run-state";
import { statusBarClass, statusLabel } from "./status-badge";

export interface RunTimelineProps {
  steps: readonly RunStep[];
  runStartedAt: Date | null;
  runFinishedAt: Date | null;
  /** Node id → display name (falls back to the id). */
  nodeNames?: Record<string, string>;
  selectedNodeId?: string | null;
  onSelectNode?: (nodeId: string) => void;
  /** True while the run goes on: running bars grow with the clock. */
  live?: boolean;
}

interface Row {
  nodeId: string;
  attempts: RunStep[];
}

function rowsOf(steps: readonly RunStep[]): Row[] {
  const rows = new Map<string, Row>();
  for (const step of steps) {
    const row = rows.get(step.nodeId) ?? { nodeId: step.nodeId, attempts: [] };
    row.attempts.push(step);
    rows.set(step.nodeId, row);
  }
  return [...rows.values()];
}

function useNow(live: boolean): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(timer);
  }, [live]);
  return now;
}

/**
 * A Gantt-like view of a run: one row per node in the order nodes started, one bar per attempt placed by its start
 * and finish time, so retries, parallel branches and waits show at a glance. Each row selects its node.
 */
export function RunTimeline({
  steps,
  runStartedAt,
  runFinishedAt,
  nodeNames = {},
  selectedNodeId,
  onSelectNode,
  live = false,
}: RunTimelineProps) {
  const now = useNow(live);
  const rows = rowsOf(steps);
  if (rows.length === 0) {
    return <p className="text-sm text-fg-muted">No step has started yet.</p>;
  }
  const starts = steps.flatMap((s) => (s.startedAt ? [s.startedAt.getTime()] : []));
  const origin = runStartedAt?.getTime() ?? Math.min(...starts, now.getTime());
  const ends = steps.map((s) => (s.finishedAt ?? (s.startedAt ? now : null))?.getTime() ?? origin);
  const end = Math.max(runFinishedAt?.getTime() ?? (live ? now.getTime() : 0), ...ends, origin + 1);
  const span = end - origin;
  const at = (t: number) => `${(((t - origin) / span) * 100).toFixed(3)}%`;

  return (
    <ol className="flex flex-col gap-1" aria-label="Timeline">
      {rows.map((row) => {
        const name = nodeNames[row.nodeId] ?? row.nodeId;
        const latest = row.attempts.at(-1);
        const total = row.attempts.reduce(
          (sum, s) => sum + (durationMs(s.startedAt, s.finishedAt, now) ?? 0),
          0,
        );
        const selected = selectedNodeId === row.nodeId;
        return (
          <li key={row.nodeId}>
            <button
              type="button"
              aria-pressed={selected}
              onClick={() => onSelectNode?.(row.nodeId)}
              className={cn(
                "grid w-full grid-cols-[minmax(8rem,12rem)_1fr_5rem] items-center gap-3 rounded-md px-2 py-1 text-left text-sm hover:bg-surface-muted focus-visible:outline-2 focus-visible:outline-ring",
                selected && "bg-surface-muted ring-1 ring-ring",
              )}
            >
              <span className="truncate font-medium" title={row.nodeId}>
                {name}
                <span className="sr-only">
                  ({statusLabel(latest?.status ?? "pending")}
                  {row.attempts.length > 1 ? `, ${row.attempts.length} attempts` : ""})
                </span>
              </span>
              <span className="relative h-4 rounded bg-surface-muted" aria-hidden="true">
                {row.attempts.map((step) => {
                  const start = step.startedAt?.getTime();
                  if (start === undefined) return null;
                  const stop = (step.finishedAt ?? now).getTime();
                  return (
                    <span
                      key={step.attempt}
                      data-attempt={step.attempt}
                      data-status={step.status}
                      className={cn(
                        "absolute top-0 h-4 min-w-1 rounded-sm border-r border-surface",
                        statusBarClass[step.status] ?? "bg-fg-muted",
                      )}
                      style={{ left: at(start), width: `calc(${at(stop)} - ${at(start)})` }}
                      title={`Attempt ${step.attempt + 1}: ${statusLabel(step.status)}`}
                    />
                  );
                })}
              </span>
              <span className="text-right text-xs text-fg-muted tabular-nums">
                {formatDuration(total)}
              </span>
            </button>
          </li>
        );
      })}
    </ol>
  );
}
