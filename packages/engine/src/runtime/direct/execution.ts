import type { WakeConditions } from "./leases";

/** Why an execution stopped before its run ended. */
export type Halt =
  | { kind: "park"; until: Date | null; wake: WakeConditions }
  | { kind: "cancelled" }
  | { kind: "stopping" };

/** A wait some branch of the run is in: its time (null: none) and what else would end it. */
interface OpenWait {
  until: Date | null;
  signals: string[];
  children: string[];
}

/**
 * One run held in memory by the direct driver: its journal so far, the waits its branches are in, the step work in
 * flight, and the halt (park, cancel, stop) that ends the execution before the run ends.
 */
export class Execution {
  readonly recorded: Map<string, unknown>;
  /** Node outcomes the run store holds (replay.ts): first steps that need no journal row. */
  readonly stored: ReadonlyMap<string, unknown>;
  /** The run may have rows in `run_journal` (read at the claim, or written since): its end deletes them. */
  journalled: boolean;
  private halt: Halt | undefined;
  private readonly halted: Promise<Halt>;
  private resolveHalt: (halt: Halt) => void = () => undefined;
  private readonly waits = new Set<OpenWait>();
  private readonly work = new Set<Promise<unknown>>();
  private readonly listeners = new Set<() => void>();
  /** A signal or a child's end arrived while the execution was halting: resume at once after parking. */
  woken = false;

  constructor(
    readonly runId: string,
    readonly orgId: string,
    readonly parentRunId: string | null,
    recorded: Map<string, unknown>,
    stored: ReadonlyMap<string, unknown> = new Map(),
  ) {
    this.recorded = recorded;
    this.stored = stored;
    this.journalled = recorded.size > 0;
    this.halted = new Promise((resolve) => (this.resolveHalt = resolve));
  }

  get isHalted(): boolean {
    return this.halt !== undefined;
  }

  /** Resolves with the halt once one is requested. */
  whenHalted(): Promise<Halt> {
    return this.halted;
  }

  stop(halt: Exclude<Halt, { kind: "park" }>): void {
    if (this.halt) return;
    this.halt = halt;
    this.resolveHalt(halt);
  }

  /** Parks the run until the earliest of all its open waits (this one included), woken by any of theirs. */
  park(wait: OpenWait): void {
    if (this.halt) return;
    const all = [...this.waits, wait];
    const times = all.map((w) => w.until?.getTime() ?? Number.POSITIVE_INFINITY);
    const earliest = Math.min(...times);
    this.halt = {
      kind: "park",
      until: Number.isFinite(earliest) ? new Date(earliest) : null,
      wake: {
        signals: [...new Set(all.flatMap((w) => w.signals))],
        children: [...new Set(all.flatMap((w) => w.children))],
      },
    };
    this.resolveHalt(this.halt);
  }

  /** Keeps step work counted until it settles, so the lease is not given up while a side effect is under way. */
  track<T>(work: Promise<T>): Promise<T> {
    this.work.add(work);
    const done = () => this.work.delete(work);
    work.then(done, done);
    return work;
  }

  async settled(): Promise<void> {
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }

  /**
   * Waits in memory until `wait.until`, a notification (a signal or a child's end) or a halt. The wait counts as
   * open meanwhile, so a park requested by another branch includes it.
   */
  async hold(wait: OpenWait): Promise<"time" | "notified" | "halted"> {
    this.waits.add(wait);
    let timer: NodeJS.Timeout | undefined;
    let listener: (() => void) | undefined;
    try {
      return await Promise.race([
        new Promise<"time">((resolve) => {
          if (wait.until)
            timer = setTimeout(() => resolve("time"), wait.until.getTime() - Date.now());
        }),
        new Promise<"notified">((resolve) => {
          listener = () => resolve("notified");
          this.listeners.add(listener);
        }),
        this.halted.then(() => "halted" as const),
      ]);
    } finally {
      clearTimeout(timer);
      if (listener) this.listeners.delete(listener);
      this.waits.delete(wait);
    }
  }

  /** A signal or a child's end for this run arrived. */
  notify(): void {
    if (this.halt) this.woken = true;
    for (const listener of [...this.listeners]) listener();
  }
}
