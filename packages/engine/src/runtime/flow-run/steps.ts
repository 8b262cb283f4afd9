/** The most retries a node may ask for (NodeSettings.retries); a run's step attempts are sized by it. */
export const MAX_NODE_RETRIES = 10;

/** What a sub-flow's run returns to the step that invoked it. */
export interface RunFlowResult {
  runId: string;
  status: "succeeded" | "cancelled";
  output: unknown;
}

export interface StepOptions {
  /**
   * The step reaches nothing outside the run store (a pure node, a skip): a binding may commit its record together
   * with later ones, before anything with effects runs (docs/runtime.md, Steps committed together).
   */
  pure?: boolean;
  /**
   * The step records a node's outcome in the run store (its first step, or its skip): a result that is exactly
   * what `run_steps` holds (a skip, or a `Fired` marked `stored`) needs no record of its own, and a binding that
   * reads the run store on replay may take it from there (docs/executor.md, Direct runs).
   */
  nodeOutcome?: boolean;
}

/** An event a run waits for: its name, and the fields of its `data` that must be equal to these values. */
export interface AwaitedEvent {
  event: string;
  match: Readonly<Record<string, string>>;
  timeoutMs: number;
}

/**
 * The durable step tools runFlow's semantics are written over (docs/runtime.md, Steps and their ids). Two bindings
 * implement it: Inngest's step tools (real Inngest and the standalone executor) and the direct driver (embedded
 * mode, docs/executor.md). Every step id is unique within a run; a step whose result is recorded returns that
 * result again without running its work (a replay), so the work of a step runs to completion at most once.
 */
export interface FlowSteps {
  /**
   * Runs `work` as the step `id` and records its result, which must be plain JSON data (no Date, no class
   * instances, undefined only as the whole result). `attempt` counts the step's tries from 0: a thrown error is
   * retried with backoff, except a `RunFailedError`, which fails the run at once.
   */
  run<T>(id: string, work: (attempt: number) => Promise<T>, options?: StepOptions): Promise<T>;
  /** Sleeps for `ms` (at least 1) without holding the run in memory longer than the binding wants. */
  sleep(id: string, ms: number): Promise<void>;
  sleepUntil(id: string, until: Date): Promise<void>;
  /** The awaited event's data, or null when the timeout passes first. */
  waitForEvent(id: string, awaited: AwaitedEvent): Promise<{ data: unknown } | null>;
  /** Runs runFlow for an existing child run and returns its result; throws when the child fails or times out. */
  invoke(
    id: string,
    child: { runId: string; orgId: string; timeoutMs?: number },
  ): Promise<RunFlowResult>;
}

/** Fails the run for good: no retry of the step or of the run. */
export class RunFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RunFailedError";
  }
}
