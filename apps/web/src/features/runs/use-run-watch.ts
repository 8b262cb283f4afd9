"use client";

import { skipToken, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useCallback, useEffect, useMemo, useReducer, useState } from "react";

import type { RouterOutputs } from "@runnel/api";

import type { NodeStatus, RunState, RunStep, RunWatchEvent } from "./run-state";
import { useTRPC } from "~/trpc/react";
import { applyRunEvent, initialRunState, isTerminal, nodeStatusOf } from "./run-state";

export type RunDetail = RouterOutputs["runs"]["get"];

interface Live {
  base: RunDetail;
  state: RunState<RunDetail>;
}

function toState(base: RunDetail): RunState<RunDetail> {
  return initialRunState(base, base.steps as RunStep[]);
}

function liveReducer(live: Live | null, action: { base: RunDetail; event: RunWatchEvent }): Live {
  const from = live && live.base === action.base ? live.state : toState(action.base);
  return { base: action.base, state: applyRunEvent(from, action.event) };
}

/** A client error the server answered with a 4xx: retrying the same request would not help. */
function isClientError(error: unknown): boolean {
  const status = (error as { data?: { httpStatus?: unknown } } | null)?.data?.httpStatus;
  return typeof status === "number" && status >= 400 && status < 500;
}

const RETRY_DELAYS_MS = [1_000, 2_000, 5_000, 10_000];

const TERMINAL_EVENTS: ReadonlySet<string> = new Set([
  "run.succeeded",
  "run.failed",
  "run.cancelled",
]);

interface Failure {
  message: string;
  /** Failures in a row, for the back-off. */
  count: number;
  /** The last event applied when the stream failed: where the next one resumes. */
  seq: number;
  retry: boolean;
}

export type WatchedRun = Omit<RunDetail, "steps">;

export interface RunWatch {
  run: WatchedRun | null;
  /** Every attempt of every step, in start order. */
  steps: RunStep[];
  /** The latest attempt's status per node id (what the canvas colours). */
  nodeStatus: Record<string, NodeStatus>;
  error: { message: string } | null;
  /** True while the live stream is connected to a run that has not finished. */
  live: boolean;
  isLoading: boolean;
}

/**
 * A run kept current: `runs.get` once, then `runs.watch` from the run's last event. The stream's link reconnects
 * by itself with the last event id; when the stream fails for good (server gone, network down) it is opened again
 * after a pause, from the last event applied, so no event is lost or applied twice. When the run finishes, the
 * run is read again for the values the stream leaves out (over 64 KB).
 */
export function useRunWatch(runId: string | null): RunWatch {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const get = useQuery(
    trpc.runs.get.queryOptions(runId ? { id: runId } : skipToken, { staleTime: 0 }),
  );
  const base = get.data;
  const [live, dispatch] = useReducer(liveReducer, null);
  const initial = useMemo(() => (base ? toState(base) : null), [base]);
  const state = live && base && live.base === base ? live.state : initial;

  const [resumeAt, setResumeAt] = useState<{ runId: string; seq: number } | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);

  const watching = !!base && !!runId && base.id === runId && !isTerminal(base.status);
  const fromSeq = String(
    resumeAt && resumeAt.runId === runId
      ? Math.max(resumeAt.seq, base?.eventSeq ?? 0)
      : (base?.eventSeq ?? 0),
  );
  const refresh = useCallback(() => {
    if (runId)
      void queryClient.invalidateQueries({ queryKey: trpc.runs.get.queryKey({ id: runId }) });
  }, [queryClient, runId, trpc]);

  const subscription = useSubscription(
    trpc.runs.watch.subscriptionOptions(
      watching ? { id: runId, lastEventId: fromSeq } : skipToken,
      {
        onStarted: () => setFailure(null),
        onData: (message) => {
          setFailure(null);
          if (base) dispatch({ base, event: message.data });
          if (TERMINAL_EVENTS.has(message.data.type)) refresh();
        },
        onError: (error) =>
          setFailure((previous) => ({
            message: `Live updates stopped: ${error.message}`,
            count: (previous?.count ?? 0) + 1,
            seq: state?.lastSeq ?? 0,
            retry: !isClientError(error),
          })),
      },
    ),
  );

  // A stream that failed for good is opened again after a pause, from the last event applied.
  const { reset } = subscription;
  useEffect(() => {
    if (!failure?.retry || !runId) return;
    const delay = RETRY_DELAYS_MS[Math.min(failure.count - 1, RETRY_DELAYS_MS.length - 1)];
    const timer = setTimeout(() => {
      if (String(failure.seq) === fromSeq) reset();
      else setResumeAt({ runId, seq: failure.seq });
    }, delay);
    return () => clearTimeout(timer);
  }, [failure, runId, fromSeq, reset]);

  const steps = useMemo(() => state?.steps ?? [], [state]);
  const nodeStatus = useMemo(() => nodeStatusOf(steps), [steps]);
  const run: WatchedRun | null = state?.run ?? null;
  return {
    run,
    steps,
    nodeStatus,
    error: get.error
      ? { message: get.error.message }
      : failure
        ? { message: failure.message }
        : null,
    live: watching && subscription.status === "pending",
    isLoading: !!runId && get.isPending,
  };
}
