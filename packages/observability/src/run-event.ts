/**
 * The shape of the run events the engine publishes on its event bus (docs/runs.md), as far as logs, metrics and
 * traces read them. Structural, so this package depends on no other Runnel package.
 */
export interface ObservedRunEvent {
  runId: string;
  orgId: string;
  type: string;
  nodeId: string | null;
  payload: unknown;
  createdAt: Date;
}

export type RunEventObserver = (events: readonly ObservedRunEvent[]) => void;

export const FINISHED_RUN_STATUS: Readonly<Record<string, string>> = {
  "run.succeeded": "succeeded",
  "run.failed": "failed",
  "run.cancelled": "cancelled",
};

export const FINISHED_STEP_STATUS: Readonly<Record<string, string>> = {
  "step.succeeded": "succeeded",
  "step.failed": "failed",
  "step.skipped": "skipped",
};

/** A field of an event's payload, when the payload is an object that has it. */
export function payloadField(event: ObservedRunEvent, key: string): unknown {
  const { payload } = event;
  return typeof payload === "object" && payload !== null ? Reflect.get(payload, key) : undefined;
}

/** A map that forgets its oldest entries past `limit`, handing each evicted value to `onEvict`. */
export class BoundedMap<V> {
  readonly #entries = new Map<string, V>();
  constructor(
    private readonly limit: number,
    private readonly onEvict: (value: V) => void = () => undefined,
  ) {}
  get size(): number {
    return this.#entries.size;
  }
  get(key: string): V | undefined {
    return this.#entries.get(key);
  }
  set(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    while (this.#entries.size > this.limit) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      const evicted = this.#entries.get(oldest.value);
      this.#entries.delete(oldest.value);
      if (evicted !== undefined) this.onEvict(evicted);
    }
  }
  take(key: string): V | undefined {
    const value = this.#entries.get(key);
    this.#entries.delete(key);
    return value;
  }
  values(): IterableIterator<V> {
    return this.#entries.values();
  }
}

/** The `message` of an event's `error` payload field (a StoredError), when there is one. */
export function errorMessage(event: ObservedRunEvent): string | undefined {
  const error = payloadField(event, "error");
  const message: unknown =
    typeof error === "object" && error !== null ? Reflect.get(error, "message") : undefined;
  return typeof message === "string" ? message : undefined;
}
