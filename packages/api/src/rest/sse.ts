import type { Database } from "@runnel/db";
import type { RunEvent, RunEventBus } from "@runnel/engine";

import type { StreamHolder } from "../security/stream-access";
import { guardStreamAccess } from "../security/stream-access";
import { HttpProblem, problemType } from "./problem";

/** Where a stream resumes: `Last-Event-ID` (what EventSource sends on reconnect), else `?lastEventId=`, else 0. */
function resumeFrom(request: Request): number {
  const given =
    request.headers.get("last-event-id") ?? new URL(request.url).searchParams.get("lastEventId");
  if (given === null || given.trim() === "") return 0;
  if (!/^\d+$/.test(given.trim())) {
    throw new HttpProblem(
      400,
      "validation",
      "Last-Event-ID is the seq of the last event received",
      {
        errors: [{ path: "Last-Event-ID", message: "a non-negative integer" }],
      },
    );
  }
  return Number(given.trim());
}

/** One event in text/event-stream framing: `id: <seq>`, `event: <type>`, `data: <json>`. */
export function formatEvent(event: RunEvent): string {
  const data = JSON.stringify({
    seq: event.seq,
    type: event.type,
    nodeId: event.nodeId,
    payload: event.payload,
    createdAt: event.createdAt.toISOString(),
  });
  return `id: ${event.seq}\nevent: ${event.type}\ndata: ${data}\n\n`;
}

/** How often a comment line keeps idle proxies from closing the stream. */
const KEEPALIVE_MS = 15_000;

/** The last event of a stream whose key lost access: an `error` event carrying problem details (401). */
function accessEndedEvent(message: string, request: Request): string {
  const data = JSON.stringify({
    type: problemType("unauthorized"),
    title: "Unauthorized",
    status: 401,
    detail: message,
    instance: new URL(request.url).pathname,
  });
  return `event: error\ndata: ${data}\n\n`;
}

export interface RunEventStreamOptions {
  db: Database;
  bus: RunEventBus;
  orgId: string;
  runId: string;
  /** Who opened the stream: re-checked while it is open (security/stream-access). */
  holder: StreamHolder;
}

/**
 * The run's events as Server-Sent Events: the stored ones after the resume point, then live ones; the stream ends
 * after the run's terminal event, when the client disconnects, or (with a last `error` event) when the key that
 * opened it is revoked.
 */
export function runEventStream(options: RunEventStreamOptions, request: Request): Response {
  const { db, bus, orgId, runId, holder } = options;
  const afterSeq = resumeFrom(request);
  const access = guardStreamAccess(db, holder, { signal: request.signal });
  const encoder = new TextEncoder();
  let keepalive: ReturnType<typeof setInterval> | undefined;
  const body = new ReadableStream<Uint8Array>({
    async start(stream) {
      keepalive = setInterval(
        () => stream.enqueue(encoder.encode(": keep-alive\n\n")),
        KEEPALIVE_MS,
      );
      try {
        stream.enqueue(encoder.encode("retry: 2000\n\n"));
        for await (const event of bus.subscribe(orgId, runId, {
          afterSeq,
          signal: access.signal,
        })) {
          stream.enqueue(encoder.encode(formatEvent(event)));
        }
        if (access.revoked) {
          const reason: unknown = access.signal.reason;
          const message = reason instanceof Error ? reason.message : "Access ended";
          stream.enqueue(encoder.encode(accessEndedEvent(message, request)));
        }
        stream.close();
      } catch (error) {
        stream.error(error);
      } finally {
        clearInterval(keepalive);
        access.stop();
      }
    },
    cancel() {
      clearInterval(keepalive);
      access.stop();
      access.abort();
    },
  });
  return new Response(body, {
    status: 200,
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      "x-accel-buffering": "no",
    },
  });
}
