import type { DbHandle } from "@runnel/db";
import type { RunEventPublisher, RunResponses, SendEvent } from "@runnel/engine";
import type { EngineServices } from "@runnel/engine/services";
import type { RunnelExecutor } from "@runnel/executor";

import type { FunctionOptions } from "../functions";
import type { RuntimeLog } from "../log";

/** A route handler of /api/inngest (Next's route handlers and plain `Request`s alike). */
export type ServeHandler = (request: Request, context?: unknown) => Promise<Response>;

export interface ServeRoute {
  GET: ServeHandler;
  POST: ServeHandler;
  PUT: ServeHandler;
}

/**
 * How runFlow is driven: what receives the engine's events and calls its functions. One driver per runtime,
 * chosen in drivers/index.ts (docs/architecture.md, "Runtime").
 */
export interface RunFlowDriver {
  /** Sends an event to what runs the functions; resolves once it has accepted the event. */
  send: SendEvent;
  /** The /api/inngest handlers when an outside server calls the functions over HTTP; undefined in-process. */
  route: ServeRoute | undefined;
  /** The built-in executor, when this process runs one. */
  executor: RunnelExecutor | undefined;
  /** Respond outputs of the runs this process executes, for a caller waiting here (the direct driver). */
  responses?: RunResponses;
  start(): Promise<void>;
  /** Stops after the calls in flight finish. */
  stop(): Promise<void>;
}

/** Tuning of the built-in executor (tests and benchmarks shorten its clocks); defaults are production ones. */
export interface ExecutorTuning {
  retryScale?: number;
  pollMs?: number;
  leaseMs?: number;
  /** Adds the milliseconds spent inside runFlow's serve handler (benchmarks). */
  handlerTime?: { ms: number };
}

export interface DriverDeps {
  handle: DbHandle;
  services: EngineServices;
  bus: RunEventPublisher;
  /** The runtime's sender (acknowledges start requests), for functions that start runs themselves. */
  sendEvent: SendEvent;
  functions: FunctionOptions;
  executor: ExecutorTuning;
  log: RuntimeLog;
}

/** One handler for every method of the route (a loopback server in tests, a non-Next host). */
export function routeHandler(route: ServeRoute): ServeHandler {
  return (request, context) => {
    const method = request.method as keyof ServeRoute;
    const handler = route[method] as ServeHandler | undefined;
    return handler
      ? handler(request, context)
      : Promise.resolve(new Response(null, { status: 405, headers: { allow: "GET, POST, PUT" } }));
  };
}
