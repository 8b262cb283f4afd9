/**
 * The live state of one run: the run row and every attempt of every step, as `runs.get` returns them, moved forward
 * by the events of `runs.watch`. Pure functions, so the same reducer serves the editor, the run page and the tests.
 */

export const RUN_STATUSES = [
  "queued",
  "running",
  "waiting",
  "succeeded",
  "failed",
  "cancelled",
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const NODE_STATUSES = [
  "pending",
  "running",
  "succeeded",
  "failed",
  "skipped",
  "waiting",
] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];

const TERMINAL: ReadonlySet<string> = new Set(["succeeded", "failed", "cancelled"]);

export function isTerminal(status: string): boolean {
  return TERMINAL.has(status);
}

/** A stored error as the engine records it (`{ message, name?, nodeId?, code?, stack? }`). */
export interface RunError {
  message: string;
  name?: string;
  nodeId?: string;
  code?: string;
  stack?: string;
  [key: string]: unknown;
}

/** One attempt of one node (a `run_steps` row). */
export interface RunStep {
  nodeId: string;
  attempt: number;
  status: NodeStatus;
  input?: unknown;
  output?: unknown;
  error?: RunError | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  tokensIn: number;
  tokensOut: number;
  /** USD of the attempt's model calls (docs/ai.md, Usage and cost). */
  costUsd: number;
  /** Set when the step was not executed but its output copied from this earlier run (a rerun from a node). */
  reusedFromRunId?: string | null;
  /** Size in bytes of a value the event stream left out (over its 64 KB limit); `runs.get` has the value. */
  omittedBytes?: { input?: number; output?: number };
}

/** The fields of a run this state tracks (a `runs.get` answer has these and more). */
export interface RunSummary {
  id: string;
  status: RunStatus;
  output?: unknown;
  error?: RunError | null;
  failedNodeId?: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  eventSeq: number;
}

/** A `runs.watch` event (the data of a tracked message; its id is `String(seq)`). */
export interface RunWatchEvent {
  seq: number;
  type: string;
  nodeId: string | null;
  payload: unknown;
  createdAt: Date | string;
}

export interface RunState<R extends RunSummary = RunSummary> {
  run: R;
  steps: RunStep[];
  /** The seq of the last event applied (or the run's event_seq when it was read): where a watch resumes. */
  lastSeq: number;
}

/** Starts from a `runs.get` answer. */
export function initialRunState<R extends RunSummary>(
  run: R,
  steps: readonly RunStep[],
): RunState<R> {
  return { run, steps: sortSteps([...steps]), lastSeq: run.eventSeq };
}

function sortSteps(steps: RunStep[]): RunStep[] {
  return steps.sort((a, b) => {
    const at = a.startedAt?.getTime() ?? Number.MAX_SAFE_INTEGER;
    const bt = b.startedAt?.getTime() ?? Number.MAX_SAFE_INTEGER;
    return at - bt || a.nodeId.localeCompare(b.nodeId) || a.attempt - b.attempt;
  });
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

/** An event value is `{ value, bytes }`, or only `{ bytes }` when it was too large to carry. */
function eventValue(
  value: unknown,
): { present: true; value: unknown } | { present: false; bytes: number } {
  const v = record(value);
  if ("value" in v) return { present: true, value: v.value };
  return { present: false, bytes: typeof v.bytes === "number" ? v.bytes : 0 };
}

function number(value: unknown, fallback = 0): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

function asError(value: unknown): RunError {
  const v = record(value);
  return { ...v, message: typeof v.message === "string" ? v.message : "Unknown error" };
}

function upsertStep(
  steps: readonly RunStep[],
  nodeId: string,
  attempt: number,
  change: (step: RunStep) => RunStep,
): RunStep[] {
  const index = steps.findIndex((s) => s.nodeId === nodeId && s.attempt === attempt);
  const base: RunStep = steps[index] ?? {
    nodeId,
    attempt,
    status: "pending",
    startedAt: null,
    finishedAt: null,
    tokensIn: 0,
    tokensOut: 0,
    costUsd: 0,
  };
  const next = [...steps];
  if (index === -1) next.push(change(base));
  else next[index] = change(base);
  return sortSteps(next);
}

function withValue(
  step: RunStep,
  key: "input" | "output",
  raw: unknown,
): Pick<RunStep, "input" | "output" | "omittedBytes"> {
  const value = eventValue(raw);
  if (value.present) {
    const { [key]: _dropped, ...rest } = step.omittedBytes ?? {};
    return { [key]: value.value, omittedBytes: rest };
  }
  return { omittedBytes: { ...step.omittedBytes, [key]: value.bytes } };
}

/**
 * Applies one event. Events at or below `lastSeq` were already applied (a resumed stream never repeats one, but a
 * `runs.get` read after the stream started may already include it), so they change nothing.
 */
export function applyRunEvent<R extends RunSummary>(
  state: RunState<R>,
  event: RunWatchEvent,
): RunState<R> {
  if (event.seq <= state.lastSeq) return state;
  const at = toDate(event.createdAt);
  const payload = record(event.payload);
  const next: RunState<R> = { ...state, lastSeq: event.seq };
  const run = state.run;

  switch (event.type) {
    case "run.queued":
      return { ...next, run: { ...run, status: "queued" } };
    case "run.running":
      return { ...next, run: { ...run, status: "running", startedAt: run.startedAt ?? at } };
    case "run.waiting":
      return { ...next, run: { ...run, status: "waiting" } };
    case "run.succeeded": {
      const output = eventValue(payload.output);
      return {
        ...next,
        run: {
          ...run,
          status: "succeeded",
          finishedAt: at,
          ...(output.present ? { output: output.value } : {}),
        },
      };
    }
    case "run.failed":
      return {
        ...next,
        run: {
          ...run,
          status: "failed",
          finishedAt: at,
          error: asError(payload.error),
          failedNodeId: typeof payload.failedNodeId === "string" ? payload.failedNodeId : null,
        },
      };
    case "run.cancelled":
      return { ...next, run: { ...run, status: "cancelled", finishedAt: at } };
  }

  if (!event.nodeId || !event.type.startsWith("step.")) return next;
  const attempt = number(payload.attempt);
  const nodeId = event.nodeId;
  const finish = (step: RunStep, status: "succeeded" | "failed"): RunStep => {
    const durationMs = typeof payload.durationMs === "number" ? payload.durationMs : null;
    return {
      ...step,
      status,
      finishedAt: at,
      startedAt:
        step.startedAt ?? (durationMs !== null ? new Date(at.getTime() - durationMs) : null),
      tokensIn: number(payload.tokensIn, step.tokensIn),
      tokensOut: number(payload.tokensOut, step.tokensOut),
      costUsd: number(payload.costUsd, step.costUsd),
    };
  };

  switch (event.type) {
    case "step.started":
      return {
        ...next,
        steps: upsertStep(state.steps, nodeId, attempt, (step) => ({
          ...step,
          status: "running",
          startedAt: step.startedAt ?? at,
          ...withValue(step, "input", payload.input),
        })),
      };
    case "step.succeeded":
      return {
        ...next,
        steps: upsertStep(state.steps, nodeId, attempt, (step) => ({
          ...finish(step, "succeeded"),
          ...withValue(step, "output", payload.output),
          ...(typeof payload.reusedFromRunId === "string"
            ? { reusedFromRunId: payload.reusedFromRunId }
            : {}),
        })),
      };
    case "step.failed":
      return {
        ...next,
        steps: upsertStep(state.steps, nodeId, attempt, (step) => ({
          ...finish(step, "failed"),
          error: asError(payload.error),
        })),
      };
    case "step.skipped":
      return {
        ...next,
        steps: upsertStep(state.steps, nodeId, attempt, (step) => ({ ...step, status: "skipped" })),
      };
    case "step.waiting":
      return {
        ...next,
        steps: upsertStep(state.steps, nodeId, attempt, (step) => ({
          ...step,
          status: "waiting",
          startedAt: step.startedAt ?? at,
        })),
      };
    default:
      return next;
  }
}

/** Every attempt of one node, first to last. */
export function attemptsOf(steps: readonly RunStep[], nodeId: string): RunStep[] {
  return steps.filter((s) => s.nodeId === nodeId).sort((a, b) => a.attempt - b.attempt);
}

/** The status of each node: that of its latest attempt. */
export function nodeStatusOf(steps: readonly RunStep[]): Record<string, NodeStatus> {
  const latest = new Map<string, RunStep>();
  for (const step of steps) {
    const seen = latest.get(step.nodeId);
    if (!seen || step.attempt >= seen.attempt) latest.set(step.nodeId, step);
  }
  return Object.fromEntries([...latest].map(([id, step]) => [id, step.status]));
}

/** Milliseconds between start and finish (or `now` while running); null before it starts. */
export function durationMs(
  startedAt: Date | null,
  finishedAt: Date | null,
  now: Date = new Date(),
): number | null {
  if (!startedAt) return null;
  return Math.max(0, (finishedAt ?? now).getTime() - startedAt.getTime());
}
