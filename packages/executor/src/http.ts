import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createServer } from "node:http";

import type { Executor } from "./executor";
import type { RunStatus } from "./schema";
import { EventValidationError } from "./executor";
import { getRun, listRuns, runsForEvent } from "./runs";

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

const runStatuses: RunStatus[] = ["running", "completed", "failed", "cancelled"];

/** A JSON answer of the API. */
interface JsonAnswer {
  status: number;
  body: unknown;
}

/** An endpoint with a JSON body that `listen` serves without building web Request/Response objects. */
type DirectRoute = (body: unknown) => Promise<JsonAnswer>;

/** The HTTP API as a fetch handler; `direct` names the hot endpoints `listen` may serve straight from node:http. */
export type ExecutorFetch = ((request: Request) => Promise<Response>) & {
  direct?: (method: string, path: string) => DirectRoute | undefined;
};

const normalisePath = (pathname: string) => pathname.replace(/\/+$/, "") || "/";

/**
 * POST /v1/checkpoint/:runId/async, the SDK's call after each step: 200 once stored, 409 when stale, 400 when
 * invalid (see Checkpoints).
 */
function checkpointRoute(
  executor: Executor,
  method: string,
  path: string,
): DirectRoute | undefined {
  const match = /^\/v1\/checkpoint\/([^/]+)\/async$/.exec(path);
  if (method !== "POST" || !match?.[1]) return undefined;
  const runId = decodeURIComponent(match[1]);
  return async (body) => {
    const result = await executor.checkpoint(runId, body);
    return result.status === 200
      ? { status: 200, body: { status: 200 } }
      : { status: result.status, body: { status: result.status, error: result.error } };
  };
}

async function readJson(
  request: Request,
): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  const text = await request.text();
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, response: json(400, { status: 400, error: "request body must be JSON" }) };
  }
}

/**
 * The executor's HTTP API as a fetch handler: the endpoints the `inngest` SDK calls in dev mode
 * (POST /fn/register, POST /e/:eventKey, POST /v1/checkpoint/:runId/async) and the runs API (GET /v1/runs, GET /v1/runs/:id,
 * POST /v1/runs/:id/cancel).
 */
export function createFetchHandler(executor: Executor): ExecutorFetch {
  const handler: ExecutorFetch = async (request) => {
    const url = new URL(request.url);
    const path = normalisePath(url.pathname);
    const method = request.method.toUpperCase();
    try {
      if (method === "POST" && path === "/fn/register") {
        const body = await readJson(request);
        if (!body.ok) return body.response;
        const result = await executor.registerApp(body.value);
        return result.ok
          ? json(200, { status: 200, ok: true, modified: result.modified })
          : json(400, { status: 400, ok: false, error: result.error });
      }
      const send = /^\/e\/([^/]+)$/.exec(path);
      if (method === "POST" && send) {
        const body = await readJson(request);
        if (!body.ok) return body.response;
        const seed = request.headers.get("x-inngest-event-id-seed") ?? undefined;
        const { ids } = await executor.sendEvents(body.value, { seed });
        return json(200, { ids, status: 200 });
      }
      const checkpoint = checkpointRoute(executor, method, path);
      if (checkpoint) {
        const body = await readJson(request);
        if (!body.ok) return body.response;
        const answer = await checkpoint(body.value);
        return json(answer.status, answer.body);
      }
      if (method === "GET" && (path === "/health" || path === "/"))
        return json(200, { ok: true, service: "runnel-executor" });
      if (method === "GET" && path === "/v1/apps")
        return json(200, { functions: executor.registry.all() });
      if (method === "GET" && path === "/v1/runs") {
        const status = url.searchParams.get("status");
        if (status && !runStatuses.includes(status as RunStatus)) {
          return json(400, {
            error: `status must be one of ${runStatuses.join(", ")} (got ${status})`,
          });
        }
        const limit = Number(url.searchParams.get("limit") ?? "50");
        const result = await listRuns(executor.store.db, {
          status: (status as RunStatus | null) ?? undefined,
          functionId: url.searchParams.get("function_id") ?? undefined,
          cursor: url.searchParams.get("cursor") ?? undefined,
          limit: Number.isFinite(limit) ? limit : 50,
        });
        return json(200, result);
      }
      const eventRuns = /^\/v1\/events\/([^/]+)\/runs$/.exec(path);
      if (method === "GET" && eventRuns?.[1]) {
        return json(200, {
          data: await runsForEvent(executor.store.db, decodeURIComponent(eventRuns[1])),
        });
      }
      const runMatch = /^\/v1\/runs\/([^/]+)(\/cancel)?$/.exec(path);
      if (runMatch?.[1]) {
        const id = decodeURIComponent(runMatch[1]);
        if (method === "GET" && !runMatch[2]) {
          const run = await getRun(executor.store.db, id);
          return run ? json(200, run) : json(404, { error: `run ${id} not found` });
        }
        if (method === "POST" && runMatch[2]) {
          const cancelled = await executor.cancelRun(id);
          return cancelled
            ? json(200, { cancelled: true })
            : json(409, { error: `run ${id} is not running (or does not exist)` });
        }
      }
      return json(404, { error: `${method} ${path} is not an endpoint of the Runnel executor` });
    } catch (error) {
      if (error instanceof EventValidationError)
        return json(400, { status: 400, error: error.message });
      return json(500, { status: 500, error: (error as Error).message });
    }
  };
  handler.direct = (method, path) => checkpointRoute(executor, method, path);
  return handler;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function writeJson(res: ServerResponse, { status, body }: JsonAnswer): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** Serves a direct route: the JSON body in, the JSON answer out, with the fetch handler's error answers. */
async function serveDirect(route: DirectRoute, body: Buffer, res: ServerResponse): Promise<void> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8")) as unknown;
  } catch {
    return writeJson(res, {
      status: 400,
      body: { status: 400, error: "request body must be JSON" },
    });
  }
  try {
    writeJson(res, await route(value));
  } catch (error) {
    writeJson(res, { status: 500, body: { status: 500, error: (error as Error).message } });
  }
}

function toRequest(req: IncomingMessage, body: Buffer, origin: string): Request {
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(key, v);
    else if (value !== undefined) headers.set(key, value);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(new URL(req.url ?? "/", origin), {
    method: req.method,
    headers,
    body: hasBody ? new Uint8Array(body) : undefined,
  });
}

async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((value, key) => res.setHeader(key, value));
  res.end(Buffer.from(await response.arrayBuffer()));
}

/**
 * Serves a fetch handler with node:http. The handler's direct routes (the SDK's checkpoint call) are served
 * from node:http as they are, without web Request/Response objects in between (docs/executor.md, "Code layout").
 */
export async function listen(
  handler: ExecutorFetch,
  options: { port: number; host?: string },
): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const host = options.host ?? "127.0.0.1";
  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const path = normalisePath((req.url ?? "/").split("?")[0] ?? "/");
    const route = handler.direct?.((req.method ?? "GET").toUpperCase(), path);
    if (route) return serveDirect(route, body, res);
    const response = await handler(toRequest(req, body, `http://${req.headers.host ?? host}`));
    await writeResponse(res, response);
  };
  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(JSON.stringify({ error: (error as Error).message }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
