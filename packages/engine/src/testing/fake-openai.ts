import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createHash } from "node:crypto";
import { createServer } from "node:http";

/**
 * A fake OpenAI-compatible server for tests: a real HTTP server on 127.0.0.1 speaking
 * POST /v1/chat/completions (JSON, and SSE with `stream: true`, usage in a final chunk when
 * `stream_options.include_usage` is set), POST /v1/responses (JSON and SSE) and POST /v1/embeddings.
 * Replies are deterministic: a queue the test fills, then a reply function, then an echo.
 */

export type FakeEndpoint = "chat.completions" | "responses" | "embeddings";

export interface FakeOpenAIRequest {
  endpoint: FakeEndpoint;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** The bearer token sent, or null. */
  apiKey: string | null;
  model: string | null;
  stream: boolean;
  body: Record<string, unknown>;
  /** Text of the last user message (chat and responses), or "" when there is none. */
  prompt: string;
  /** Text of the system message / instructions, or "". */
  system: string;
}

export interface FakeUsage {
  inputTokens: number;
  outputTokens: number;
}

export type FakeReply =
  | string
  | {
      /** Assistant text (for structured output: the JSON text of the object). */
      text: string;
      /** Reported usage; default: word counts of the prompt and the reply. */
      usage?: FakeUsage;
      finishReason?: "stop" | "length" | "content_filter";
    }
  | {
      /** An error answer in OpenAI's shape. */
      error: { status: number; message: string; type?: string; code?: string };
    };

export interface FakeOpenAIOptions {
  /** Reply when the queue is empty; default: `You said: <prompt>`. */
  reply?: (request: FakeOpenAIRequest) => FakeReply;
  /** Embedding of one input; default: a deterministic 8-dimension vector from a hash of the text. */
  embed?: (input: string, request: FakeOpenAIRequest) => number[];
  /** When set, requests must carry this bearer token or get a 401 like OpenAI's. */
  apiKey?: string;
}

export interface FakeOpenAIServer {
  /** Base URL including /v1 (what an OpenAI client's baseURL takes). */
  baseUrl: string;
  port: number;
  /** Every request received, in order. */
  requests: FakeOpenAIRequest[];
  /** Queues replies used (first in, first out) before the reply function. */
  enqueue(...replies: FakeReply[]): void;
  close(): Promise<void>;
}

const CREATED = 1_700_000_000;

function words(text: string): number {
  const trimmed = text.trim();
  return trimmed === "" ? 0 : trimmed.split(/\s+/).length;
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => {
        if (
          typeof part === "object" &&
          part !== null &&
          "text" in part &&
          typeof part.text === "string"
        ) {
          return part.text;
        }
        return "";
      })
      .join("");
  }
  return "";
}

function messagesOf(body: Record<string, unknown>): { role: string; text: string }[] {
  const list = Array.isArray(body.messages)
    ? body.messages
    : Array.isArray(body.input)
      ? body.input
      : [];
  const out: { role: string; text: string }[] = [];
  for (const message of list as unknown[]) {
    if (typeof message !== "object" || message === null) continue;
    const role = "role" in message && typeof message.role === "string" ? message.role : "";
    const content = "content" in message ? message.content : undefined;
    out.push({ role, text: textOf(content) });
  }
  return out;
}

function defaultEmbedding(input: string): number[] {
  const digest = createHash("sha256").update(input).digest();
  return Array.from(
    { length: 8 },
    (_, i) => Math.round(((digest[i] ?? 0) / 255) * 2000 - 1000) / 1000,
  );
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  type: string,
  code: string | null,
): void {
  sendJson(res, status, { error: { message, type, param: null, code } });
}

function startSse(res: ServerResponse): (data: unknown, event?: string) => void {
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

/** Splits text into stream deltas of a word (with its trailing space) each. */
function pieces(text: string): string[] {
  const parts = text.match(/\S+\s*|\s+/g);
  return parts ?? [];
}

export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAIServer> {
  const queue: FakeReply[] = [];
  const requests: FakeOpenAIRequest[] = [];
  let counter = 0;

  const nextReply = (request: FakeOpenAIRequest): FakeReply => {
    const queued = queue.shift();
    if (queued !== undefined) return queued;
    if (options.reply) return options.reply(request);
    return `You said: ${request.prompt}`;
  };

  const resolveReply = (request: FakeOpenAIRequest, reply: FakeReply) => {
    if (typeof reply === "string") {
      return {
        text: reply,
        usage: {
          inputTokens: words(`${request.system} ${request.prompt}`),
          outputTokens: words(reply),
        },
        finishReason: "stop" as const,
      };
    }
    if ("error" in reply) return reply;
    return {
      text: reply.text,
      usage: reply.usage ?? {
        inputTokens: words(`${request.system} ${request.prompt}`),
        outputTokens: words(reply.text),
      },
      finishReason: reply.finishReason ?? ("stop" as const),
    };
  };

  function chatCompletions(res: ServerResponse, request: FakeOpenAIRequest): void {
    const reply = resolveReply(request, nextReply(request));
    if ("error" in reply) {
      sendError(
        res,
        reply.error.status,
        reply.error.message,
        reply.error.type ?? "invalid_request_error",
        reply.error.code ?? null,
      );
      return;
    }
    const id = `chatcmpl-fake-${++counter}`;
    const model = request.model ?? "fake-model";
    const usage = {
      prompt_tokens: reply.usage.inputTokens,
      completion_tokens: reply.usage.outputTokens,
      total_tokens: reply.usage.inputTokens + reply.usage.outputTokens,
    };
    if (!request.stream) {
      sendJson(res, 200, {
        id,
        object: "chat.completion",
        created: CREATED,
        model,
        choices: [
          {
            index: 0,
            message: { role: "assistant", content: reply.text, refusal: null },
            logprobs: null,
            finish_reason: reply.finishReason,
          },
        ],
        usage,
      });
      return;
    }
    const send = startSse(res);
    const chunk = (delta: Record<string, unknown>, finishReason: string | null) => ({
      id,
      object: "chat.completion.chunk",
      created: CREATED,
      model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    });
    send(chunk({ role: "assistant", content: "" }, null));
    for (const piece of pieces(reply.text)) send(chunk({ content: piece }, null));
    send(chunk({}, reply.finishReason));
    const streamOptions = request.body.stream_options;
    if (
      typeof streamOptions === "object" &&
      streamOptions !== null &&
      "include_usage" in streamOptions &&
      streamOptions.include_usage === true
    ) {
      send({ id, object: "chat.completion.chunk", created: CREATED, model, choices: [], usage });
    }
    send("[DONE]");
    res.end();
  }

  function responses(res: ServerResponse, request: FakeOpenAIRequest): void {
    const reply = resolveReply(request, nextReply(request));
    if ("error" in reply) {
      sendError(
        res,
        reply.error.status,
        reply.error.message,
        reply.error.type ?? "invalid_request_error",
        reply.error.code ?? null,
      );
      return;
    }
    const n = ++counter;
    const id = `resp_fake_${n}`;
    const messageId = `msg_fake_${n}`;
    const model = request.model ?? "fake-model";
    const usage = {
      input_tokens: reply.usage.inputTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: reply.usage.outputTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: reply.usage.inputTokens + reply.usage.outputTokens,
    };
    const incomplete = reply.finishReason === "length";
    const content = { type: "output_text", text: reply.text, annotations: [], logprobs: [] };
    const item = {
      type: "message",
      id: messageId,
      status: "completed",
      role: "assistant",
      content: [content],
    };
    const response = (status: string, output: unknown[], withUsage: boolean) => ({
      id,
      object: "response",
      created_at: CREATED,
      status,
      model,
      output,
      incomplete_details: incomplete ? { reason: "max_output_tokens" } : null,
      usage: withUsage ? usage : null,
    });
    const finalStatus = incomplete ? "incomplete" : "completed";
    if (!request.stream) {
      sendJson(res, 200, response(finalStatus, [item], true));
      return;
    }
    const send = startSse(res);
    let sequence = 0;
    const event = (type: string, data: Record<string, unknown>) =>
      send({ type, sequence_number: sequence++, ...data }, type);
    event("response.created", { response: response("in_progress", [], false) });
    event("response.in_progress", { response: response("in_progress", [], false) });
    event("response.output_item.added", {
      output_index: 0,
      item: { ...item, status: "in_progress", content: [] },
    });
    event("response.content_part.added", {
      item_id: messageId,
      output_index: 0,
      content_index: 0,
      part: { ...content, text: "" },
    });
    for (const piece of pieces(reply.text)) {
      event("response.output_text.delta", {
        item_id: messageId,
        output_index: 0,
        content_index: 0,
        delta: piece,
        logprobs: [],
      });
    }
    event("response.output_text.done", {
      item_id: messageId,
      output_index: 0,
      content_index: 0,
      text: reply.text,
      logprobs: [],
    });
    event("response.content_part.done", {
      item_id: messageId,
      output_index: 0,
      content_index: 0,
      part: content,
    });
    event("response.output_item.done", { output_index: 0, item });
    event(incomplete ? "response.incomplete" : "response.completed", {
      response: response(finalStatus, [item], true),
    });
    res.end();
  }

  function embeddings(res: ServerResponse, request: FakeOpenAIRequest): void {
    const input = request.body.input;
    const inputs =
      typeof input === "string"
        ? [input]
        : Array.isArray(input)
          ? input.filter((v): v is string => typeof v === "string")
          : [];
    if (inputs.length === 0) {
      sendError(
        res,
        400,
        "'input' must be a string or an array of strings",
        "invalid_request_error",
        null,
      );
      return;
    }
    const queued = queue[0];
    if (queued !== undefined && typeof queued === "object" && "error" in queued) {
      queue.shift();
      sendError(
        res,
        queued.error.status,
        queued.error.message,
        queued.error.type ?? "invalid_request_error",
        queued.error.code ?? null,
      );
      return;
    }
    const embed = options.embed ?? defaultEmbedding;
    const tokens = inputs.reduce((sum, text) => sum + words(text), 0);
    sendJson(res, 200, {
      object: "list",
      data: inputs.map((text, index) => ({
        object: "embedding",
        index,
        embedding: embed(text, request),
      })),
      model: request.model ?? "fake-embedding",
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  }

  const server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? "").split("?")[0];
      const endpoint: FakeEndpoint | null =
        path === "/v1/chat/completions"
          ? "chat.completions"
          : path === "/v1/responses"
            ? "responses"
            : path === "/v1/embeddings"
              ? "embeddings"
              : null;
      if (req.method !== "POST" || endpoint === null) {
        sendError(
          res,
          404,
          `Unknown request URL: ${req.method ?? "?"} ${req.url ?? "?"}`,
          "invalid_request_error",
          "unknown_url",
        );
        return;
      }
      const raw = await readBody(req);
      let body: Record<string, unknown>;
      try {
        const parsed: unknown = JSON.parse(raw);
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
          throw new Error("not an object");
        body = parsed as Record<string, unknown>;
      } catch {
        sendError(
          res,
          400,
          "We could not parse the JSON body of your request.",
          "invalid_request_error",
          null,
        );
        return;
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
      }
      const authorization = headers.authorization ?? "";
      const apiKey = authorization.startsWith("Bearer ")
        ? authorization.slice("Bearer ".length)
        : null;
      const messages = messagesOf(body);
      const request: FakeOpenAIRequest = {
        endpoint,
        headers,
        apiKey,
        model: typeof body.model === "string" ? body.model : null,
        stream: body.stream === true,
        body,
        prompt:
          [...messages].reverse().find((m) => m.role === "user")?.text ??
          (typeof body.input === "string" ? body.input : ""),
        system:
          messages.find((m) => m.role === "system" || m.role === "developer")?.text ??
          (typeof body.instructions === "string" ? body.instructions : ""),
      };
      requests.push(request);
      if (options.apiKey !== undefined && apiKey !== options.apiKey) {
        sendError(
          res,
          401,
          "Incorrect API key provided.",
          "invalid_request_error",
          "invalid_api_key",
        );
        return;
      }
      if (endpoint === "chat.completions") chatCompletions(res, request);
      else if (endpoint === "responses") responses(res, request);
      else embeddings(res, request);
    })().catch((error: unknown) => {
      sendError(res, 500, `Fake OpenAI server failed: ${String(error)}`, "server_error", null);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    enqueue: (...replies) => {
      queue.push(...replies);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
