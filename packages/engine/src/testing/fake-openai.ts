import type { ServerResponse } from "node:http";
import { createHash } from "node:crypto";

import type {
  FakeProviderOptions,
  FakeProviderRequest,
  FakeProviderServer,
  ResolvedReply,
} from "./fake-provider";
import {
  headersOf,
  listenOnLoopback,
  parseObject,
  pieces,
  readBody,
  replyQueue,
  resolveReply,
  retryAfterHeader,
  sendJson,
  startSse,
  textOf,
  words,
} from "./fake-provider";

/**
 * A fake OpenAI-compatible server for tests: a real HTTP server on 127.0.0.1 speaking
 * POST /v1/chat/completions (JSON, and SSE with `stream: true`, usage in a final chunk when
 * `stream_options.include_usage` is set), POST /v1/responses (JSON and SSE), POST /v1/embeddings and
 * GET /v1/models. Replies (text, tool calls, errors, cut or malformed answers) are deterministic: a queue the
 * test fills, then a reply function, then an echo.
 */

export type FakeEndpoint = "chat.completions" | "responses" | "embeddings" | "models";

export type FakeOpenAIRequest = FakeProviderRequest<FakeEndpoint>;

export interface FakeOpenAIOptions extends FakeProviderOptions<FakeOpenAIRequest> {
  /** Embedding of one input; default: a deterministic 8-dimension vector from a hash of the text. */
  embed?: (input: string, request: FakeOpenAIRequest) => number[];
}

/** `models` default: gpt-4.1-mini, gpt-4o-mini. */
export type FakeOpenAIServer = FakeProviderServer<FakeOpenAIRequest>;

const CREATED = 1_700_000_000;

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

function sendError(
  res: ServerResponse,
  error: { status: number; message: string; type?: string; code?: string; retryAfter?: number },
): void {
  sendJson(
    res,
    error.status,
    {
      error: {
        message: error.message,
        type: error.type ?? (error.status >= 500 ? "server_error" : "invalid_request_error"),
        param: null,
        code: error.code ?? null,
      },
    },
    retryAfterHeader(error),
  );
}

/** Answers a reply that is not a message (error, cut, malformed); true when it did. */
function sendAbnormal(
  res: ServerResponse,
  reply: ResolvedReply,
  stream: boolean,
  streamStart: () => void,
): reply is Extract<ResolvedReply, { kind: "message" }> {
  if (reply.kind === "error") sendError(res, reply.error);
  else if (reply.kind === "malformed") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end("<html>Bad gateway</html>");
  } else if (reply.kind === "truncated") {
    if (stream) {
      streamStart();
      res.end();
    } else {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(`{"id":"cut","choices":[{"message":{"content":${JSON.stringify(reply.text)}`);
    }
  } else return true;
  return false;
}

export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAIServer> {
  const replies = replyQueue<FakeOpenAIRequest>(options.reply);
  const requests: FakeOpenAIRequest[] = [];
  let counter = 0;
  const models = options.models ?? ["gpt-4.1-mini", "gpt-4o-mini"];

  function chatCompletions(res: ServerResponse, request: FakeOpenAIRequest): void {
    const reply = resolveReply(replies.next(request), `${request.system} ${request.prompt}`);
    const id = `chatcmpl-fake-${++counter}`;
    const model = request.model ?? "fake-model";
    const chunk = (delta: Record<string, unknown>, finishReason: string | null) => ({
      id,
      object: "chat.completion.chunk",
      created: CREATED,
      model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    });
    const cutText = reply.kind === "truncated" ? reply.text : "";
    if (
      !sendAbnormal(res, reply, request.stream, () => {
        const send = startSse(res);
        send(chunk({ role: "assistant", content: "" }, null));
        for (const piece of pieces(cutText)) send(chunk({ content: piece }, null));
      })
    )
      return;
    const usage = {
      prompt_tokens: reply.usage.inputTokens,
      completion_tokens: reply.usage.outputTokens,
      total_tokens: reply.usage.inputTokens + reply.usage.outputTokens,
    };
    const toolCalls = reply.toolCalls.map((call) => ({
      id: call.id,
      type: "function",
      function: { name: call.name, arguments: JSON.stringify(call.arguments) },
    }));
    if (!request.stream) {
      sendJson(res, 200, {
        id,
        object: "chat.completion",
        created: CREATED,
        model,
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: reply.text === "" && toolCalls.length > 0 ? null : reply.text,
              refusal: null,
              ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
            },
            logprobs: null,
            finish_reason: reply.finishReason,
          },
        ],
        usage,
      });
      return;
    }
    const send = startSse(res);
    send(chunk({ role: "assistant", content: "" }, null));
    for (const piece of pieces(reply.text)) send(chunk({ content: piece }, null));
    toolCalls.forEach((call, index) => {
      const args = call.function.arguments;
      const half = Math.ceil(args.length / 2);
      send(
        chunk(
          {
            tool_calls: [
              {
                index,
                id: call.id,
                type: "function",
                function: { name: call.function.name, arguments: args.slice(0, half) },
              },
            ],
          },
          null,
        ),
      );
      send(chunk({ tool_calls: [{ index, function: { arguments: args.slice(half) } }] }, null));
    });
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
    const reply = resolveReply(replies.next(request), `${request.system} ${request.prompt}`);
    const n = ++counter;
    const id = `resp_fake_${n}`;
    const messageId = `msg_fake_${n}`;
    const model = request.model ?? "fake-model";
    let sequence = 0;
    let send: ((data: unknown, event?: string) => void) | undefined;
    const event = (type: string, data: Record<string, unknown>) =>
      send?.({ type, sequence_number: sequence++, ...data }, type);
    const response = (status: string, output: unknown[], usage: unknown, incomplete = false) => ({
      id,
      object: "response",
      created_at: CREATED,
      status,
      model,
      output,
      incomplete_details: incomplete ? { reason: "max_output_tokens" } : null,
      usage,
    });
    if (
      !sendAbnormal(res, reply, request.stream, () => {
        send = startSse(res);
        event("response.created", { response: response("in_progress", [], null) });
      })
    )
      return;
    const usage = {
      input_tokens: reply.usage.inputTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: reply.usage.outputTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: reply.usage.inputTokens + reply.usage.outputTokens,
    };
    const incomplete = reply.finishReason === "length";
    const content = { type: "output_text", text: reply.text, annotations: [], logprobs: [] };
    const message = {
      type: "message",
      id: messageId,
      status: "completed",
      role: "assistant",
      content: [content],
    };
    const calls = reply.toolCalls.map((call, index) => ({
      type: "function_call",
      id: `fc_fake_${n}_${index}`,
      call_id: call.id,
      name: call.name,
      arguments: JSON.stringify(call.arguments),
      status: "completed",
    }));
    const output = [...(reply.text === "" && calls.length > 0 ? [] : [message]), ...calls];
    const finalStatus = incomplete ? "incomplete" : "completed";
    if (!request.stream) {
      sendJson(res, 200, response(finalStatus, output, usage, incomplete));
      return;
    }
    send = startSse(res);
    event("response.created", { response: response("in_progress", [], null) });
    event("response.in_progress", { response: response("in_progress", [], null) });
    output.forEach((item, outputIndex) => {
      if (item.type === "message") {
        event("response.output_item.added", {
          output_index: outputIndex,
          item: { ...item, status: "in_progress", content: [] },
        });
        event("response.content_part.added", {
          item_id: messageId,
          output_index: outputIndex,
          content_index: 0,
          part: { ...content, text: "" },
        });
        for (const piece of pieces(reply.text)) {
          event("response.output_text.delta", {
            item_id: messageId,
            output_index: outputIndex,
            content_index: 0,
            delta: piece,
            logprobs: [],
          });
        }
        event("response.output_text.done", {
          item_id: messageId,
          output_index: outputIndex,
          content_index: 0,
          text: reply.text,
          logprobs: [],
        });
        event("response.content_part.done", {
          item_id: messageId,
          output_index: outputIndex,
          content_index: 0,
          part: content,
        });
      } else {
        event("response.output_item.added", {
          output_index: outputIndex,
          item: { ...item, arguments: "", status: "in_progress" },
        });
        event("response.function_call_arguments.delta", {
          item_id: item.id,
          output_index: outputIndex,
          delta: "arguments" in item ? item.arguments : "",
        });
        event("response.function_call_arguments.done", {
          item_id: item.id,
          output_index: outputIndex,
          arguments: "arguments" in item ? item.arguments : "",
        });
      }
      event("response.output_item.done", { output_index: outputIndex, item });
    });
    event(incomplete ? "response.incomplete" : "response.completed", {
      response: response(finalStatus, output, usage, incomplete),
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
      sendError(res, { status: 400, message: "'input' must be a string or an array of strings" });
      return;
    }
    const abnormal = replies.nextAbnormal();
    if (abnormal !== undefined) {
      sendAbnormal(res, resolveReply(abnormal, ""), false, () => undefined);
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

  const ENDPOINTS: Record<string, FakeEndpoint> = {
    "POST /v1/chat/completions": "chat.completions",
    "POST /v1/responses": "responses",
    "POST /v1/embeddings": "embeddings",
    "GET /v1/models": "models",
  };

  const server = await listenOnLoopback(
    async (req, res) => {
      const path = (req.url ?? "").split("?")[0] ?? "";
      const endpoint = ENDPOINTS[`${req.method ?? ""} ${path}`];
      if (endpoint === undefined) {
        sendError(res, {
          status: 404,
          message: `Unknown request URL: ${req.method ?? "?"} ${req.url ?? "?"}`,
          code: "unknown_url",
        });
        return;
      }
      const raw = await readBody(req);
      const body = endpoint === "models" ? {} : parseObject(raw);
      if (body === undefined) {
        sendError(res, {
          status: 400,
          message: "We could not parse the JSON body of your request.",
        });
        return;
      }
      const headers = headersOf(req);
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
        sendError(res, {
          status: 401,
          message: "Incorrect API key provided.",
          code: "invalid_api_key",
        });
        return;
      }
      if (endpoint === "chat.completions") chatCompletions(res, request);
      else if (endpoint === "responses") responses(res, request);
      else if (endpoint === "embeddings") embeddings(res, request);
      else
        sendJson(res, 200, {
          object: "list",
          data: models.map((id) => ({ id, object: "model", created: CREATED, owned_by: "fake" })),
        });
    },
    (res, error) =>
      sendError(res, { status: 500, message: `Fake OpenAI server failed: ${String(error)}` }),
  );

  return {
    baseUrl: `http://127.0.0.1:${server.port}/v1`,
    port: server.port,
    requests,
    enqueue: replies.enqueue,
    close: server.close,
  };
}
