import "server-only";

import type { NextRequest } from "next/server";
import { Inngest } from "inngest";
import { serve as serveEdge } from "inngest/edge";
import { serve as serveNext } from "inngest/next";

import type { RunEventBus, SendEvent } from "@runnel/engine";
import type { RunnelExecutor } from "@runnel/executor";
import { createRunEventBus, createRunFlowFunction, createSchedulerFunction } from "@runnel/engine";
import { createEngineServices, parseAllowListSetting } from "@runnel/engine/services";
import { createExecutor } from "@runnel/executor";

import { env } from "~/env";
import { getDbEnv, getDbHandle, getSecrets } from "./runtime";

/**
 * The engine's composition: the Inngest client, the node services, the run event bus, the runFlow function and the
 * scheduler function (starts the runs of due schedule triggers), built once per process on first use
 * (instrumentation.ts starts it with the server; `next build` never does).
 *
 * Mode, chosen by the environment only:
 * - "inngest": any of INNGEST_EVENT_KEY, INNGEST_SIGNING_KEY, INNGEST_BASE_URL or INNGEST_DEV is set. Events go to
 *   Inngest (Cloud, self-hosted, or a standalone executor) and /api/inngest serves the functions to it.
 * - "embedded" (default): the built-in executor runs in this process on the app's database handle and calls the
 *   functions through an in-process serve handler; the Inngest client sends to it through `executor.fetch`.
 */
export type EngineMode = "embedded" | "inngest";

type RouteHandler = (request: NextRequest, context: unknown) => Promise<Response>;

export interface AppEngine {
  mode: EngineMode;
  bus: RunEventBus;
  sendEvent: SendEvent;
  /** /api/inngest handlers: inngest/next's serve in "inngest" mode; undefined when embedded. */
  route: { GET: RouteHandler; POST: RouteHandler; PUT: RouteHandler } | undefined;
}

/** Where the embedded executor records the app it calls; requests to it never leave the process. */
const EMBEDDED_APP_URL = "http://runnel.embedded/api/inngest";

const globals = globalThis as typeof globalThis & { __runnelEngine?: Promise<AppEngine> };

/** INNGEST_DEV as the SDK reads it: "0"/"false" off, anything else (1, true, a URL) on. */
function devFlag(value: string): boolean {
  return value !== "0" && value.toLowerCase() !== "false";
}

/** "inngest" when any INNGEST_* setting is present, else "embedded". */
export function engineMode(): EngineMode {
  const devOn = env.INNGEST_DEV !== undefined && devFlag(env.INNGEST_DEV);
  return env.INNGEST_EVENT_KEY || env.INNGEST_SIGNING_KEY || env.INNGEST_BASE_URL || devOn
    ? "inngest"
    : "embedded";
}

/** SDK messages: warnings and errors reach the server log, chatter does not. */
const sdkLogger = {
  info: () => undefined,
  debug: () => undefined,
  warn: (...args: unknown[]) => console.warn("[inngest]", ...args),
  error: (...args: unknown[]) => console.error("[inngest]", ...args),
};

function allowList() {
  try {
    return parseAllowListSetting(env.RUNNEL_HTTP_ALLOW);
  } catch (error) {
    throw new Error(`RUNNEL_HTTP_ALLOW: ${(error as Error).message}`);
  }
}

async function buildEngine(): Promise<AppEngine> {
  const mode = engineMode();
  const allow = allowList();
  const [handle, secrets] = await Promise.all([getDbHandle(), getSecrets()]);
  const dbEnv = getDbEnv();
  const bus = await createRunEventBus({
    db: handle.db,
    driver: handle.driver,
    ...(dbEnv.DATABASE_URL ? { url: dbEnv.DATABASE_URL } : {}),
  });
  const services = createEngineServices({
    db: handle.db,
    masterKey: secrets.encryptionKey,
    http: { allow },
  });

  if (mode === "inngest") {
    const dev = env.INNGEST_DEV;
    const devUrl = dev && /^https?:\/\//.test(dev) ? dev : undefined;
    const baseUrl = env.INNGEST_BASE_URL ?? devUrl;
    const inngest = new Inngest({
      id: "runnel",
      logger: sdkLogger,
      ...(env.INNGEST_EVENT_KEY ? { eventKey: env.INNGEST_EVENT_KEY } : {}),
      ...(env.INNGEST_SIGNING_KEY ? { signingKey: env.INNGEST_SIGNING_KEY } : {}),
      ...(env.INNGEST_SIGNING_KEY_FALLBACK
        ? { signingKeyFallback: env.INNGEST_SIGNING_KEY_FALLBACK }
        : {}),
      ...(baseUrl ? { baseUrl } : {}),
      ...(dev !== undefined ? { isDev: devFlag(dev) } : {}),
    });
    const runFlow = createRunFlowFunction({ inngest, services, bus });
    const scheduler = createSchedulerFunction({ inngest, db: handle.db, bus });
    const handlers = serveNext({ client: inngest, functions: [runFlow, scheduler] });
    return {
      mode,
      bus,
      sendEvent: (event) => inngest.send(event),
      route: { GET: handlers.GET, POST: handlers.POST, PUT: handlers.PUT },
    };
  }

  const inngest = new Inngest({
    id: "runnel",
    isDev: true,
    baseUrl: "http://executor.embedded",
    logger: sdkLogger,
    // The executor is created below; nothing sends before it exists.
    fetch: (input, init) => executor.fetch(new Request(input, init)),
  });
  const runFlow = createRunFlowFunction({ inngest, services, bus });
  const scheduler = createSchedulerFunction({ inngest, db: handle.db, bus });
  const handler = serveEdge({ client: inngest, functions: [runFlow, scheduler] });
  const executor: RunnelExecutor = createExecutor({
    db: handle,
    transport: (request) => handler(request),
    log: (level, message, fields) => {
      if (level === "warn" || level === "error") {
        console[level](`[executor] ${message}`, fields ?? "");
      }
    },
  });
  try {
    await executor.start();
    const synced = await executor.syncApp(EMBEDDED_APP_URL);
    if (!synced.ok) {
      throw new Error(
        `The embedded executor could not register the engine functions: ${synced.status} ${await synced.text()}`,
      );
    }
  } catch (error) {
    // A failed start leaves nothing running; the next getEngine() builds everything again.
    await executor.stop().catch(() => undefined);
    await bus.close();
    await services.close();
    throw error;
  }
  return { mode, bus, sendEvent: (event) => inngest.send(event), route: undefined };
}

/**
 * The process's engine, built (and in embedded mode, its executor started) on the first call. A failed start is
 * not kept, so the next call tries again.
 */
export function getEngine(): Promise<AppEngine> {
  const existing = globals.__runnelEngine;
  if (existing) return existing;
  const created = buildEngine().catch((error: unknown) => {
    globals.__runnelEngine = undefined;
    throw error;
  });
  globals.__runnelEngine = created;
  return created;
}
