import type { MemoEntry, RunRequestBody, StoredEvent } from "../protocol";
import type { JobRow } from "../queue";
import type { RegisteredFunction } from "../registry";
import type { ExecutorResources } from "./resources";
import type { RunRow } from "./types";

/** What a serve endpoint answered (status, headers, JSON body or text), or why no answer came. */
export type HttpAnswer = { status: number; headers: Headers; body: unknown } | { failure: string };

function jsonParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * The SDK request of one call job: the run's event, its memo and stack; with `checkpointing` the `fn_id` and
 * `qi_id` that let the SDK run consecutive steps and report them to /v1/checkpoint (docs/executor.md).
 */
export function buildRunRequest(
  r: ExecutorResources,
  fn: RegisteredFunction,
  run: RunRow,
  job: JobRow,
  memo: { steps: Record<string, MemoEntry>; stack: string[] },
  checkpointing: boolean,
): Request {
  const body: RunRequestBody = {
    event: run.event as StoredEvent,
    events: [run.event as StoredEvent],
    steps: memo.steps,
    ctx: {
      run_id: run.id,
      attempt: job.attempt,
      max_attempts: run.maxAttempts,
      disable_immediate_execution: run.disableImmediate,
      use_api: false,
      stack: { stack: memo.stack, current: Math.max(0, memo.stack.length - 1) },
      ...(checkpointing ? { fn_id: fn.id, qi_id: `${job.id}@${r.settings.workerId}` } : {}),
    },
    version: 2,
  };
  const url = new URL(fn.url);
  url.searchParams.set("fnId", fn.id);
  url.searchParams.set("stepId", job.stepId);
  return new Request(url, {
    method: "POST",
    // In-process handlers (inngest/edge) build their URL from the Host header, as a server would.
    headers: {
      "content-type": "application/json",
      "x-inngest-req-version": "2",
      host: url.host,
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(r.settings.requestTimeoutMs),
  });
}

/** Sends a call job's request and reads the answer (the worker's heartbeat keeps the job leased meanwhile). */
export async function sendRunRequest(r: ExecutorResources, request: Request): Promise<HttpAnswer> {
  try {
    const res = await r.transport(request);
    return { status: res.status, headers: res.headers, body: jsonParse(await res.text()) };
  } catch (error) {
    const url = new URL(request.url);
    return {
      failure: `request to ${url.origin}${url.pathname} failed: ${(error as Error).message}`,
    };
  }
}
