"use client";

import { useQuery } from "@tanstack/react-query";

import { Alert, Skeleton } from "@runnel/ui";

import { useTRPC } from "~/trpc/react";
import { JsonBlock } from "./json-block";

/** What the approval node received (its `in` input, the data shown for review unless the node overrides it). */
function reviewedInput(input: unknown): unknown {
  if (input !== null && typeof input === "object" && "in" in input) return input.in;
  return input;
}

/**
 * The data under review: what the approval node sent (stored on the approval), or for requests opened before it was
 * stored (`data` null), the latest attempt's input of the node in its run.
 */
export function ReviewData({
  runId,
  nodeId,
  data,
}: {
  runId: string;
  nodeId: string;
  data: unknown;
}) {
  if (data !== null && data !== undefined) {
    return <JsonBlock value={data} label={`Data under review for ${nodeId}`} />;
  }
  return <ReviewedInput runId={runId} nodeId={nodeId} />;
}

function ReviewedInput({ runId, nodeId }: { runId: string; nodeId: string }) {
  const trpc = useTRPC();
  const run = useQuery(trpc.runs.get.queryOptions({ id: runId }));
  if (run.error) return <Alert variant="danger">Could not load the run: {run.error.message}</Alert>;
  if (!run.data) return <Skeleton className="h-16 w-full" />;
  const step = run.data.steps
    .filter((candidate) => candidate.nodeId === nodeId)
    .sort((a, b) => b.attempt - a.attempt)[0];
  if (!step) return <p className="text-sm text-fg-muted">No data recorded for node {nodeId}.</p>;
  return <JsonBlock value={reviewedInput(step.input)} label={`Data under review for ${nodeId}`} />;
}
