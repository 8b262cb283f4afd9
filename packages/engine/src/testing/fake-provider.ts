import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createServer } from "node:http";

/**
 * What the fake provider servers (fake-openai, fake-anthropic, fake-gemini) share: the reply model a test
 * enqueues, and the HTTP plumbing. Each fake speaks its provider's wire format on 127.0.0.1 (docs/ai.md).
 */

export interface FakeUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface FakeToolCall {
  /** Default: a generated id. */
  id?: string;
  name: string;
  arguments: Record<string, unknown>;
}

export type FakeReply =
  | string
  | {
      /** Assistant text (for structured output: the JSON text of the object). */
      text?: string;
      /** Tool calls the model makes (after the text, if any). */
      toolCalls?: FakeToolCall[];
      /** Reported usage; default: word counts of the prompt and the reply. */
      usage?: FakeUsage;
      finishReason?: "stop" | "length" | "content_filter" | "tool_calls";
    }
  | {
      /** An error answer in the provider's shape; `retryAfter` (seconds) sets the Retry-After header. */
      error: { status: number; message: string; type?: string; code?: string; retryAfter?: number };
    }
  /** A stream cut off after `text` (no final event), or a non-streamed body cut mid-JSON. */
  | { truncated: true; text?: string }
  /** A 200 answer whose body is not the provider's JSON at all. */
  | { malformed: true };

/** A reply resolved to what the wire formats need. */
export type ResolvedReply =
  | {
      kind: "message";
      text: string;
      toolCalls: Required<FakeToolCall>[];
      usage: FakeUsage;
      finishReason: "stop" | "length" | "content_filter" | "tool_calls";
    }
  | {
      kind: "error";
      error: { status: number; message: string; type?: string; code?: string; retryAfter?: number };
    }
  | { kind: "truncated"; text: string }
  | { kind: "malformed" };

/** What a fake provider records of each request. */
export interface FakeProviderRequest<Endpoint extends string> {
  endpoint: Endpoint;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** The key the provider's auth scheme carried (bearer, x-api-key, x-goog-api-key), or null. */
  apiKey: string | null;
  model: string | null;
  stream: boolean;
  body: Record<string, unknown>;
  /** Text of the last user message, or "" when there is none. */
  prompt: string;
  /** Text of the system message / instructions, or "". */
  system: string;
}

export interface FakeProviderOptions<Request> {
  /** Reply when the queue is empty; default: `You said: <prompt>`. */
  reply?: (request: Request) => FakeReply;
  /** When set, requests must carry this key or get the provider's own 401. */
  apiKey?: string;
  /** What the provider's model list answers. */
  models?: string[];
}

export interface FakeProviderServer<Request> {
  /** Base URL including the API version segment (what the AI SDK provider's baseURL takes). */
  baseUrl: string;
  port: number;
  /** Every request received, in order. */
  requests: Request[];
  /** Queues replies used (first in, first out) before the reply function. */
  enqueue(...replies: FakeReply[]): void;
  close(): Promise<void>;
}

export function words(text: string): number {
  const trimmed = text.trim();
  return trimmed === "" ? 0 : trimmed.split(/\s+/).length;
}

/** Splits text into stream deltas of a word (with its trailing space) each. */
export function pieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

let toolCallCounter = 0;

export function resolveReply(reply: FakeReply, prompt: string): ResolvedReply {
  if (typeof reply === "string") reply = { text: reply };
  if ("error" in reply) return { kind: "error", error: reply.error };
  if ("truncated" in reply) return { kind: "truncated", text: reply.text ?? "" };
  if ("malformed" in reply) return { kind: "malformed" };
  const text = reply.text ?? "";
  const toolCalls = (reply.toolCalls ?? []).map((call) => ({
    id: call.id ?? `call_fake_${++toolCallCounter}`,
    name: call.name,
    arguments: call.arguments,
  }));
  return {
    kind: "message",
    text,
    toolCalls,
    usage: reply.usage ?? {
      inputTokens: words(prompt),
      outputTokens: words(text) + toolCalls.length,
    },
    finishReason: reply.finishReason ?? (toolCalls.length > 0 ? "tool_calls" : "stop"),
  };
}

/** Hands out queued replies first, then the reply function's, then an echo of the prompt. */
export function replyQueue<Request extends { prompt: string }>(
  fallback: ((request: Request) => FakeReply) | undefined,
) {
  const queue: FakeReply[] = [];
  return {
    enqueue: (...replies: FakeReply[]) => {
      queue.push(...replies);
    },
    next: (request: Request): FakeReply =>
      queue.shift() ?? (fallback ? fallback(request) : `You said: ${request.prompt}`),
    /** The queued head when it is an error or a broken answer (for endpoints that have no message reply). */
    nextAbnormal: (): FakeReply | undefined => {
      const head = queue[0];
      if (
        head === undefined ||
        typeof head === "string" ||
        !("error" in head || "truncated" in head || "malformed" in head)
      )
        return undefined;
      return queue.shift();
    },
  };
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** A JSON object body, or undefined when the body is not one. */
export function parseObject(raw: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

export function retryAfterHeader(error: { retryAfter?: number }): Record<string, string> {
  return error.retryAfter === undefined ? {} : { "retry-after": String(error.retryAfter) };
}

/** Starts an SSE answer; the returned function writes one event (`data` JSON-encoded unless a string). */
export function startSse(res: ServerResponse): (data: unknown, event?: string) => void {
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  return (data, event) => {
    if (event !== undefined) res.write(`event: ${event}\n`);
    res.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
  };
}

/** Text of a message content: a string, or the text parts of an array of parts. */
export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part: unknown) =>
      typeof part === "object" && part !== null && "text" in part && typeof part.text === "string"
        ? part.text
        : "",
    )
    .join("");
}

export interface FakeServerHandle {
  port: number;
  close: () => Promise<void>;
}

/** Listens on 127.0.0.1 on a free port; a handler that throws answers 500 through `onCrash`. */
export async function listenOnLoopback(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  onCrash: (res: ServerResponse, error: unknown) => void,
): Promise<FakeServerHandle> {
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => onCrash(res, error));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
