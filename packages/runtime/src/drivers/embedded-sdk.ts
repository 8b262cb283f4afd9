import { Inngest } from "inngest";
import { serve } from "inngest/edge";

import type { Transport } from "@runnel/executor";
import { createExecutor } from "@runnel/executor";

import type { DriverDeps, ExecutorTuning, RunFlowDriver } from "./driver";
import { engineFunctions } from "../functions";
import { sdkLogger } from "../log";

/** Where the embedded executor records the app it calls; requests to it never leave the process. */
const EMBEDDED_APP_URL = "http://runnel.embedded/api/inngest";

/** The serve handler as the executor's transport, optionally timed (benchmarks). */
function timedTransport(
  handler: (request: Request) => Promise<Response>,
  tuning: ExecutorTuning,
): Transport {
  const timer = tuning.handlerTime;
  if (!timer) return (request) => handler(request);
  return async (request) => {
    const began = performance.now();
    const response = await handler(request);
    const body = await response.arrayBuffer();
    timer.ms += performance.now() - began;
    return new Response(body, { status: response.status, headers: response.headers });
  };
}

/**
 * The built-in executor in this process, calling runFlow through an in-process Inngest serve handler
 * (inngest/edge); the Inngest client sends to it through `executor.fetch`.
 */
export function embeddedSdkDriver(deps: DriverDeps): RunFlowDriver {
  const inngest = new Inngest({
    id: "runnel",
    isDev: true,
    baseUrl: "http://executor.embedded",
    logger: sdkLogger(deps.log),
    // The executor is created below; nothing sends before the driver starts.
    fetch: (input, init) => executor.fetch(new Request(input, init)),
  });
  const handler = serve({
    client: inngest,
    functions: engineFunctions({ ...deps, inngest, options: deps.functions }),
  });
  const tuning = deps.executor;
  const executor = createExecutor({
    db: deps.handle,
    transport: timedTransport(handler, tuning),
    log: deps.log,
    ...(tuning.retryScale !== undefined ? { retryScale: tuning.retryScale } : {}),
    ...(tuning.pollMs !== undefined ? { pollMs: tuning.pollMs } : {}),
    ...(tuning.leaseMs !== undefined ? { leaseMs: tuning.leaseMs } : {}),
  });
  return {
    send: (event) => inngest.send(event),
    route: undefined,
    executor,
    async start() {
      await executor.start();
      const synced = await executor.syncApp(EMBEDDED_APP_URL);
      if (!synced.ok)
        throw new Error(
          `The embedded executor could not register the engine functions: ${synced.status} ${await synced.text()}`,
        );
    },
    stop: () => executor.stop(),
  };
}
