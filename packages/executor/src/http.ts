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
export function createFetchHandler(executor: Executor): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = new URL(request.url);
    const path = url.pathname.replace(/\/+$/, "") || "/";
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
      const checkpoint = /^\/v1\/checkpoint\/([^/]+)\/async$/.exec(path);
      if (method === "POST" && checkpoint?.[1]) {
        const body = await readJson(request);
        if (!body.ok) return body.response;
        const result = await executor.checkpoint(decodeURIComponent(checkpoint[1]), body.value);
        return result.status === 200
          ? json(200, { status: 200 })
          : json(result.status, { status: result.status, error: result.error });
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
}

async function toRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(key, v);
    else if (value !== undefined) headers.set(key, value);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(new URL(req.url ?? "/", origin), {
    method: req.method,
    headers,
    body: hasBody ? Buffer.concat(chunks) : undefined,
  });
}

async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((value, key) => res.setHeader(key, value));
  res.end(Buffer.from(await response.arrayBuffer()));
}

/** Serves a fetch handler with node:http. */
export async function listen(
  handler: (request: Request) => Promise<Response>,
  options: { port: number; host?: string },
): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const host = options.host ?? "127.0.0.1";
  const server = createServer((req, res) => {
    toRequest(req, `http://${req.headers.host ?? host}`)
      .then(handler)
      .then((response) => writeResponse(res, response))
      .catch((error: unknown) => {
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
