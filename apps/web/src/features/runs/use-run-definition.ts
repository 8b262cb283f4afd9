"use client";

import { skipToken, useQuery } from "@tanstack/react-query";

import type { FlowDefinition } from "~/features/editor/types";
import { useTRPC } from "~/trpc/react";

export interface RunDefinition {
  definition: FlowDefinition | null;
  error: { message: string } | null;
}

/**
 * The flow definition a run executed: its pinned published version, or the draft snapshot of a test run
 * (`runs.definition`). Versions and snapshots are immutable, so it is read once.
 */
export function useRunDefinition(runId: string | null): RunDefinition {
  const trpc = useTRPC();
  const pinned = useQuery(
    trpc.runs.definition.queryOptions(runId ? { id: runId } : skipToken, { staleTime: Infinity }),
  );
  return {
    definition: pinned.data?.definition ?? null,
    error: pinned.error ? { message: pinned.error.message } : null,
  };
}
