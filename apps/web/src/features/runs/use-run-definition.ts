"use client";

import { skipToken, useQuery } from "@tanstack/react-query";

import type { WatchedRun } from "./use-run-watch";
import type { FlowDefinition } from "~/features/editor/types";
import { useTRPC } from "~/trpc/react";

export interface RunDefinition {
  definition: FlowDefinition | null;
  /** True when the run's own snapshot could not be read and the flow's current draft stands in for it. */
  fromDraft: boolean;
  error: { message: string } | null;
}

/**
 * The flow definition a run executed: its published version. A test run ran a snapshot of the draft that the API
 * does not hand out, so the flow's current draft stands in for it (flagged, since it may have changed since).
 */
export function useRunDefinition(run: WatchedRun | null): RunDefinition {
  const trpc = useTRPC();
  const number = run && !run.test && run.version ? run.version : null;
  const published = number !== null;
  const version = useQuery(
    trpc.flows.version.queryOptions(
      run && number !== null ? { id: run.flowId, number } : skipToken,
      { staleTime: Infinity },
    ),
  );
  const flow = useQuery(
    trpc.flows.get.queryOptions(run && !published ? { id: run.flowId } : skipToken),
  );
  if (published) {
    return {
      definition: version.data?.definition ?? null,
      fromDraft: false,
      error: version.error ? { message: version.error.message } : null,
    };
  }
  return {
    definition: flow.data?.draft ?? null,
    fromDraft: true,
    error: flow.error ? { message: flow.error.message } : null,
  };
}
