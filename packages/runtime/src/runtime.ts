import type { Database, DbHandle } from "@runnel/db";
import type { RunEventBus, RunResponses, SendEvent } from "@runnel/engine";
import type { AllowList, EngineServices } from "@runnel/engine/services";
import type { RunnelExecutor } from "@runnel/executor";
import { createRunEventBus } from "@runnel/engine";
import { createEngineServices } from "@runnel/engine/services";

import type { ExecutorTuning, ServeRoute } from "./drivers";
import type { FunctionOptions } from "./functions";
import type { RuntimeLog } from "./log";
import type { RuntimeMode, RuntimeModeKind } from "./mode";
import type { RunEventObserver } from "./observed-bus";
import type { DispatcherOptions } from "./outbox/dispatcher";
import { createRunFlowDriver } from "./drivers";
import { consoleLog } from "./log";
import { observedBus } from "./observed-bus";
import { createStartRequestDispatcher } from "./outbox/dispatcher";

export interface RuntimeOptions {
  /** The app's database, opened and migrated by the caller; the runtime never closes it. */
  handle: DbHandle;
  /** The database URL of a Postgres server: the run event bus listens there (LISTEN/NOTIFY across processes). */
  databaseUrl?: string;
  /** Decrypts credentials for nodes. */
  masterKey: Buffer;
  mode: RuntimeMode;
  /** SSRF allow-list of outbound requests of flows (RUNNEL_HTTP_ALLOW). Default: public addresses only. */
  httpAllow?: AllowList | readonly string[];
  /** "auto" (default): in-process on PGlite, LISTEN/NOTIFY on a server; "in-process" for single-process tests. */
  eventBus?: "auto" | "in-process";
  functions?: FunctionOptions;
  executor?: ExecutorTuning;
  /** The start-request dispatcher's clocks (docs/runtime.md, "Start requests"). */
  dispatcher?: DispatcherOptions;
  log?: RuntimeLog;
  /** Sees every batch of run events this process publishes, after the bus delivered it (logs, metrics, traces). */
  observeRunEvents?: RunEventObserver;
}

/** The running composition: what every entry point (web, CLI, tests, benchmarks) gets from `startRuntime`. */
export interface Runtime {
  mode: RuntimeModeKind;
  handle: DbHandle;
  db: Database;
  bus: RunEventBus;
  services: EngineServices;
  /**
   * Sends the engine's events (run requests, cancels, approval decisions) to what runs the functions. A start
   * request that cannot be delivered now does not fail: it stays in the outbox and the dispatcher re-sends it.
   */
  sendEvent: SendEvent;
  /** The engine as the API's procedures take it (tRPC context, REST, hooks). */
  engine: { sendEvent: SendEvent; bus: RunEventBus; responses?: RunResponses };
  /** The /api/inngest handlers in "inngest" mode; undefined when runs execute in this process. */
  route: ServeRoute | undefined;
  /** The built-in executor in "embedded" mode. */
  executor: RunnelExecutor | undefined;
  /** Delivers the start requests that are due now (the dispatcher also does this on its own clock). */
  dispatchDue(): Promise<number>;
  /**
   * Stops the dispatcher, the executor (after calls in flight), the bus and the node services; the database stays
   * open.
   */
  stop(): Promise<void>;
}

/**
 * Builds and starts the runtime: run event bus, node services, the runFlow driver of the mode (docs/architecture.md,
 * "Runtime") and the dispatcher that delivers start requests from the outbox. A failed start releases what it had
 * opened.
 */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { handle } = options;
  const log = options.log ?? consoleLog("runtime");
  const createdBus = await createRunEventBus({
    db: handle.db,
    driver: handle.driver,
    ...(options.databaseUrl ? { url: options.databaseUrl } : {}),
    ...(options.eventBus === "in-process" ? { transport: "in-process" as const } : {}),
  });
  const bus = options.observeRunEvents
    ? observedBus(createdBus, options.observeRunEvents)
    : createdBus;
  const services = createEngineServices({
    db: handle.db,
    masterKey: options.masterKey,
    ...(options.httpAllow ? { http: { allow: options.httpAllow } } : {}),
  });
  const dispatcher = createStartRequestDispatcher({
    db: handle.db,
    deliver: (event) => driver.send(event),
    log,
    ...(options.dispatcher ? { options: options.dispatcher } : {}),
  });
  const sendEvent: SendEvent = dispatcher.send;
  const driver = createRunFlowDriver(options.mode, {
    handle,
    services,
    bus,
    sendEvent,
    functions: options.functions ?? {},
    executor: options.executor ?? {},
    log,
  });
  const close = async () => {
    await dispatcher.stop();
    await driver.stop().catch(() => undefined);
    await bus.close();
    await services.close();
  };
  try {
    await driver.start();
    dispatcher.start();
  } catch (error) {
    await close();
    throw error;
  }
  return {
    mode: options.mode.kind,
    handle,
    db: handle.db,
    bus,
    services,
    sendEvent,
    engine: { sendEvent, bus, ...(driver.responses ? { responses: driver.responses } : {}) },
    route: driver.route,
    executor: driver.executor,
    dispatchDue: () => dispatcher.dispatchDue(),
    stop: close,
  };
}
