import { Inngest } from "inngest";
import { serve } from "inngest/next";

import type { InngestMode } from "../mode";
import type { DriverDeps, RunFlowDriver, ServeHandler } from "./driver";
import { engineFunctions } from "../functions";
import { sdkLogger } from "../log";

/**
 * An Inngest server (Cloud, self-hosted, or a standalone executor) runs the functions: events are sent to it, and it
 * calls the functions at /api/inngest (the `route` handlers, signed unless in dev mode).
 */
export function inngestDriver(mode: InngestMode, deps: DriverDeps): RunFlowDriver {
  const inngest = new Inngest({
    id: "runnel",
    logger: sdkLogger(deps.log),
    ...(mode.eventKey ? { eventKey: mode.eventKey } : {}),
    ...(mode.signingKey ? { signingKey: mode.signingKey } : {}),
    ...(mode.signingKeyFallback ? { signingKeyFallback: mode.signingKeyFallback } : {}),
    ...(mode.baseUrl ? { baseUrl: mode.baseUrl } : {}),
    ...(mode.isDev !== undefined ? { isDev: mode.isDev } : {}),
  });
  const handlers = serve({
    client: inngest,
    functions: engineFunctions({ ...deps, inngest, options: deps.functions }),
  });
  const method =
    (handler: (request: never, context: never) => Promise<Response>): ServeHandler =>
    (request, context) =>
      handler(request as never, context as never);
  return {
    send: (event) => inngest.send(event),
    route: { GET: method(handlers.GET), POST: method(handlers.POST), PUT: method(handlers.PUT) },
    executor: undefined,
    start: () => Promise.resolve(),
    stop: () => Promise.resolve(),
  };
}
