import { AsyncLocalStorage } from "node:async_hooks";

/** Ids a log line carries when they apply: set around a request, a run or a node, read by every logger call. */
export interface LogContext {
  requestId?: string;
  orgId?: string;
  runId?: string;
  nodeId?: string;
}

const storage: AsyncLocalStorage<LogContext> = ((globalThis as Record<symbol, unknown>)[
  Symbol.for("runnel.log-context")
] ??= new AsyncLocalStorage<LogContext>()) as AsyncLocalStorage<LogContext>;

/** Runs `fn` with these ids added to the current ones (inner values win). */
export function withLogContext<T>(fields: LogContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...fields }, fn);
}

/** Adds ids to the current context from here on (e.g. the org, once a request is authenticated). */
export function addLogContext(fields: LogContext): void {
  const current = storage.getStore();
  if (current) Object.assign(current, fields);
}

export function currentLogContext(): LogContext {
  return storage.getStore() ?? {};
}
