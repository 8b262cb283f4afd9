"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { ArrowLeft, CircleStop, Radio, RotateCcw } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";

import {
  Alert,
  Badge,
  Button,
  Card,
  CardContent,
  CardDescription,
  CardHeader,
  CardTitle,
} from "@runnel/ui";

import { FlowCanvas } from "~/features/editor/flow-canvas";
import { formatDateTime } from "~/lib/format";
import { atLeast } from "~/lib/roles";
import { useTRPC } from "~/trpc/react";
import { formatCost, formatDuration, formatTokens } from "./format";
import { JsonBlock } from "./json-block";
import { RunInspector } from "./run-inspector";
import { durationMs, isTerminal } from "./run-state";
import { RunTimeline } from "./run-timeline";
import { StatusBadge } from "./status-badge";
import { useRunDefinition } from "./use-run-definition";
import { useRunWatch } from "./use-run-watch";

const triggerLabels: Record<string, string> = {
  manual: "by hand",
  webhook: "by a webhook",
  schedule: "on a schedule",
  api: "through the API",
  subflow: "as a sub-flow",
};

/** One run: the flow graph coloured by step status, a timeline, the selected node's details; live while it runs. */
export function RunDetailView({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const watch = useRunWatch(runId);
  const { run, steps, nodeStatus, error, live } = watch;
  const me = useQuery(trpc.me.get.queryOptions());
  const catalogue = useQuery(trpc.nodes.catalogue.queryOptions());
  const { definition } = useRunDefinition(runId);
  const [selected, setSelected] = useState<string | null>(null);

  const cancel = useMutation(trpc.runs.cancel.mutationOptions());
  const rerun = useMutation(
    trpc.runs.rerunFrom.mutationOptions({
      onSuccess: (started) => router.push(`/runs/${started.id}`),
    }),
  );

  const nodeNames = useMemo(
    () => Object.fromEntries((definition?.nodes ?? []).map((n) => [n.id, n.name || n.id])),
    [definition],
  );

  if (error && !run) return <Alert variant="danger">{error.message}</Alert>;
  if (!run) return <p className="text-sm text-fg-muted">Loading the run…</p>;

  const canEdit = me.data ? atLeast(me.data.activeOrg.role, "editor") : false;
  const running = !isTerminal(run.status);
  const tokens = formatTokens(run.tokensIn, run.tokensOut);
  // The run's cost is the sum of its steps' (as the engine totals it), so it follows a live run.
  const cost = formatCost(steps.reduce((sum, step) => sum + step.costUsd, 0));
  const selectedName = selected ? (nodeNames[selected] ?? selected) : null;
  const rerunFrom = (nodeId: string) => rerun.mutate({ runId: run.id, nodeId, draft: false });
  const actionError = cancel.error?.message ?? rerun.error?.message ?? null;

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-2">
        <Link href="/runs" className="flex items-center gap-1 text-sm text-link hover:underline">
          <ArrowLeft aria-hidden="true" className="size-4" />
          All runs
        </Link>
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold">
            Run of{" "}
            <Link
              href={`/flows/${run.flowId}`}
              className="text-link underline-offset-4 hover:underline"
            >
              {run.flowName ?? run.flowId}
            </Link>
          </h1>
          <StatusBadge status={run.status} className="text-sm" />
          {run.test ? <Badge>Test run</Badge> : run.version ? <Badge>v{run.version}</Badge> : null}
          {live ? (
            <span className="flex items-center gap-1 text-xs text-fg-muted" role="status">
              <Radio aria-hidden="true" className="size-3 text-success motion-safe:animate-pulse" />
              Live
            </span>
          ) : null}
          <div className="ml-auto flex flex-wrap gap-2">
            {canEdit && selected ? (
              <Button
                variant="secondary"
                onClick={() => rerunFrom(selected)}
                disabled={rerun.isPending}
              >
                <RotateCcw aria-hidden="true" />
                Rerun from {selectedName}
              </Button>
            ) : null}
            {canEdit && running ? (
              <Button
                variant="danger"
                onClick={() => cancel.mutate({ id: run.id })}
                disabled={cancel.isPending}
              >
                <CircleStop aria-hidden="true" />
                {cancel.isPending ? "Cancelling…" : "Cancel run"}
              </Button>
            ) : null}
          </div>
        </div>
        <p className="text-sm text-fg-muted">
          Started {triggerLabels[run.triggerKind] ?? run.triggerKind}{" "}
          {formatDateTime(run.startedAt ?? run.createdAt)} · duration{" "}
          {formatDuration(durationMs(run.startedAt, run.finishedAt))}
          {tokens ? ` · tokens ${tokens}` : ""}
          {cost ? ` · cost ${cost}` : ""} · id <code className="font-mono">{run.id}</code>
          {run.rerunOf ? (
            <>
              {" "}
              · rerun of{" "}
              <Link href={`/runs/${run.rerunOf.runId}`} className="text-link hover:underline">
                run {run.rerunOf.runId}
              </Link>{" "}
              from {nodeNames[run.rerunOf.nodeId] ?? run.rerunOf.nodeId}
            </>
          ) : null}
        </p>
        {actionError ? <Alert variant="danger">{actionError}</Alert> : null}
        {error ? <Alert variant="danger">{error.message}</Alert> : null}
      </div>

      <div className="grid gap-4 lg:grid-cols-[1fr_24rem]">
        <Card className="overflow-hidden">
          <CardHeader>
            <CardTitle>Graph</CardTitle>
            <CardDescription>
              {run.test
                ? "The draft as this test run ran it. Select a node to see what it did."
                : `Version ${run.version} as it ran. Select a node to see what it did.`}
            </CardDescription>
          </CardHeader>
          <CardContent>
            <div className="h-[28rem] rounded-md border border-border">
              {definition && catalogue.data ? (
                <FlowCanvas
                  definition={definition}
                  catalogue={catalogue.data}
                  readOnly
                  nodeStatus={nodeStatus}
                  selectedNodeId={selected}
                  onSelectNode={setSelected}
                  aria-label={`Graph of ${run.flowName ?? "the flow"}`}
                />
              ) : (
                <p className="p-4 text-sm text-fg-muted">Loading the graph…</p>
              )}
            </div>
          </CardContent>
        </Card>
        <Card>
          <CardContent className="pt-6">
            {selected ? (
              <RunInspector
                runId={run.id}
                nodeId={selected}
                nodeName={selectedName ?? selected}
                watch={watch}
                {...(canEdit ? { onRerunFrom: rerunFrom } : {})}
              />
            ) : (
              <p className="text-sm text-fg-muted">
                Select a node in the graph or the timeline to see its input, output, error and
                attempts.
              </p>
            )}
          </CardContent>
        </Card>
      </div>

      <Card>
        <CardHeader>
          <CardTitle>Timeline</CardTitle>
          <CardDescription>One bar per attempt, from start to finish.</CardDescription>
        </CardHeader>
        <CardContent>
          <RunTimeline
            steps={steps}
            runStartedAt={run.startedAt}
            runFinishedAt={run.finishedAt}
            nodeNames={nodeNames}
            selectedNodeId={selected}
            onSelectNode={setSelected}
            live={running}
          />
        </CardContent>
      </Card>

      <div className="grid gap-4 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Input</CardTitle>
          </CardHeader>
          <CardContent>
            <JsonBlock label="Run input" value={run.input} empty="No input" />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>{run.status === "failed" ? "Error" : "Output"}</CardTitle>
          </CardHeader>
          <CardContent>
            {run.status === "failed" && run.error ? (
              <Alert variant="danger">
                <span>
                  {run.failedNodeId ? `${nodeNames[run.failedNodeId] ?? run.failedNodeId}: ` : ""}
                  {run.error.message}
                </span>
              </Alert>
            ) : (
              <JsonBlock
                label="Run output"
                value={run.output ?? undefined}
                empty={running ? "Not finished yet" : "No output"}
              />
            )}
          </CardContent>
        </Card>
      </div>
    </div>
  );
}
