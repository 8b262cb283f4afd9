"use client";

import type { ReactNode } from "react";
import { Recycle, RotateCcw } from "lucide-react";

import { Alert, Badge, Button } from "@runnel/ui";

import type { RunError, RunStep } from "./run-state";
import type { RunWatch } from "./use-run-watch";
import { formatDateTime } from "~/lib/format";
import { agentTraceOf } from "./agent-trace";
import { AgentTraceView } from "./agent-trace-view";
import { formatCost, formatDuration, formatTokens } from "./format";
import { JsonBlock } from "./json-block";
import { attemptsOf, durationMs } from "./run-state";
import { StatusBadge } from "./status-badge";
import { useRunWatch } from "./use-run-watch";

export interface RunInspectorProps {
  runId: string;
  nodeId: string;
  onRerunFrom?: (nodeId: string) => void;
  /** A watch of the same run the page already holds (saves a second live connection). */
  watch?: RunWatch;
  /** The node's display name (default: its id). */
  nodeName?: string;
}

function ErrorDetails({ error, label }: { error: RunError; label: string }) {
  return (
    <div className="flex flex-col gap-2">
      <Alert variant="danger">
        <span>
          {error.name && error.name !== "Error" ? `${error.name}: ` : ""}
          {error.message}
          {error.code ? ` (${error.code})` : ""}
        </span>
      </Alert>
      {error.stack ? (
        <details className="text-xs">
          <summary className="cursor-pointer text-fg-muted">Stack trace of {label}</summary>
          <pre className="mt-1 max-h-60 overflow-auto rounded-md bg-surface-muted p-2 font-mono whitespace-pre-wrap">
            {error.stack}
          </pre>
        </details>
      ) : null}
    </div>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="flex flex-col gap-2" aria-label={title}>
      <h3 className="text-xs font-semibold tracking-wide text-fg-muted uppercase">{title}</h3>
      {children}
    </section>
  );
}

function AttemptList({ attempts }: { attempts: RunStep[] }) {
  return (
    <ol className="flex flex-col gap-1 text-sm">
      {attempts.map((step) => (
        <li
          key={step.attempt}
          className="flex flex-col gap-1 rounded-md border border-border p-2"
          aria-label={`Attempt ${step.attempt + 1}`}
        >
          <div className="flex flex-wrap items-center gap-2">
            <span className="font-medium">Attempt {step.attempt + 1}</span>
            <StatusBadge status={step.status} />
            <span className="text-xs text-fg-muted tabular-nums">
              {formatDuration(durationMs(step.startedAt, step.finishedAt))}
            </span>
            {step.startedAt ? (
              <span className="text-xs text-fg-muted">
                started {formatDateTime(step.startedAt)}
              </span>
            ) : null}
          </div>
          {step.error ? <p className="text-xs text-danger">{step.error.message}</p> : null}
        </li>
      ))}
    </ol>
  );
}

/** What one node did in a run: status, input, output, error, every attempt, duration and tokens. */
export function RunInspector({ runId, nodeId, onRerunFrom, watch, nodeName }: RunInspectorProps) {
  const own = useRunWatch(watch ? null : runId);
  const { run, steps, error } = watch ?? own;
  const name = nodeName ?? nodeId;

  if (error && !run) return <Alert variant="danger">{error.message}</Alert>;
  if (!run) return <p className="text-sm text-fg-muted">Loading the run…</p>;

  const attempts = attemptsOf(steps, nodeId);
  const latest = attempts.at(-1);
  const tokens = latest
    ? formatTokens(
        attempts.reduce((n, s) => n + s.tokensIn, 0),
        attempts.reduce((n, s) => n + s.tokensOut, 0),
      )
    : null;
  const cost = formatCost(attempts.reduce((n, s) => n + s.costUsd, 0));
  const trace = latest ? agentTraceOf(latest.output) : null;

  return (
    <div className="flex flex-col gap-4" aria-label={`Run of ${name}`} role="region">
      <div className="flex flex-wrap items-center gap-2">
        <h2 className="text-base font-semibold">{name}</h2>
        <StatusBadge status={latest?.status ?? "pending"} />
        {latest?.reusedFromRunId ? (
          <Badge
            variant="neutral"
            className="gap-1"
            title={`Output reused from run ${latest.reusedFromRunId}`}
          >
            <Recycle aria-hidden="true" className="size-3" />
            Reused
          </Badge>
        ) : null}
      </div>

      {!latest ? (
        <p className="text-sm text-fg-muted">
          This node has not run
          {run.status === "succeeded" || run.status === "failed" || run.status === "cancelled"
            ? " in this run"
            : " yet"}
          .
        </p>
      ) : (
        <>
          <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
            <dt className="text-fg-muted">Duration</dt>
            <dd className="tabular-nums">
              {formatDuration(durationMs(latest.startedAt, latest.finishedAt))}
            </dd>
            <dt className="text-fg-muted">Attempts</dt>
            <dd>{attempts.length}</dd>
            {tokens ? (
              <>
                <dt className="text-fg-muted">Tokens</dt>
                <dd className="tabular-nums">{tokens}</dd>
              </>
            ) : null}
            {cost ? (
              <>
                <dt className="text-fg-muted">Cost</dt>
                <dd className="tabular-nums">{cost}</dd>
              </>
            ) : null}
            {latest.reusedFromRunId ? (
              <>
                <dt className="text-fg-muted">Reused from</dt>
                <dd>
                  <a
                    className="text-link underline-offset-4 hover:underline"
                    href={`/runs/${latest.reusedFromRunId}`}
                  >
                    run {latest.reusedFromRunId}
                  </a>
                </dd>
              </>
            ) : null}
          </dl>

          {latest.error ? (
            <Section title="Error">
              <ErrorDetails error={latest.error} label={name} />
            </Section>
          ) : null}
          <Section title="Input">
            <JsonBlock
              label={`Input of ${name}`}
              value={latest.input}
              omittedBytes={latest.omittedBytes?.input}
            />
          </Section>
          {trace ? (
            <Section title="Agent trace">
              <AgentTraceView steps={trace} nodeName={name} />
            </Section>
          ) : null}
          <Section title="Output">
            <JsonBlock
              label={`Output of ${name}`}
              value={latest.output}
              omittedBytes={latest.omittedBytes?.output}
              empty={latest.status === "succeeded" ? "No output" : "No output yet"}
            />
          </Section>
          {attempts.length > 1 || latest.error ? (
            <Section title="Attempts">
              <AttemptList attempts={attempts} />
            </Section>
          ) : null}
        </>
      )}

      {onRerunFrom ? (
        <Button variant="secondary" onClick={() => onRerunFrom(nodeId)}>
          <RotateCcw aria-hidden="true" />
          Rerun from here
        </Button>
      ) : null}
    </div>
  );
}
