import type { ServerResponse } from "node:http";

import type { FakeProviderOptions, FakeProviderRequest, FakeProviderServer } from "./fake-provider";
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
} from "./fake-provider";

/**
 * A fake Anthropic API for tests: a real HTTP server on 127.0.0.1 speaking POST /v1/messages (JSON, and SSE with
 * `stream: true`: message_start, content_block_*, message_delta, message_stop) and GET /v1/models, with tool_use
 * blocks and Anthropic's error shape. When the request forces a tool (`tool_choice: { type: "tool" }`, as the
 * AI SDK does for structured output) a text reply is answered as that tool's input, as a real model would.
 */

export type FakeAnthropicRequest = FakeProviderRequest<"messages" | "models">;
export type FakeAnthropicOptions = FakeProviderOptions<FakeAnthropicRequest>;
export type FakeAnthropicServer = FakeProviderServer<FakeAnthropicRequest>;

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  429: "rate_limit_error",
  529: "overloaded_error",
};

function sendError(
  res: ServerResponse,
  error: { status: number; message: string; type?: string; retryAfter?: number },
): void {
  sendJson(
    res,
    error.status,
    {
      type: "error",
      error: {
        type: error.type ?? ERROR_TYPES[error.status] ?? "api_error",
        message: error.message,
      },
    },
    retryAfterHeader(error),
  );
}

function lastUserText(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? (body.messages as unknown[]) : [];
  for (const message of [...messages].reverse()) {
    if (
      typeof message === "object" &&
      message !== null &&
      "role" in message &&
      message.role === "user"
    )
      return textOf("content" in message ? message.content : undefined);
  }
  return "";
}

function forcedTool(body: Record<string, unknown>): string | undefined {
  const choice = body.tool_choice;
  if (typeof choice !== "object" || choice === null) return undefined;
  const { type, name } = choice as Record<string, unknown>;
  return type === "tool" && typeof name === "string" ? name : undefined;
}

const STOP_REASONS = {
  stop: "end_turn",
  length: "max_tokens",
  content_filter: "refusal",
  tool_calls: "tool_use",
} as const;

export async function startFakeAnthropic(
  options: FakeAnthropicOptions = {},
): Promise<FakeAnthropicServer> {
  const replies = replyQueue<FakeAnthropicRequest>(options.reply);
  const requests: FakeAnthropicRequest[] = [];
  const models = options.models ?? ["claude-sonnet-4-5", "claude-3-5-haiku-latest"];
  let counter = 0;

  function messages(res: ServerResponse, request: FakeAnthropicRequest): void {
    const reply = resolveReply(replies.next(request), `${request.system} ${request.prompt}`);
    const id = `msg_fake_${++counter}`;
    const model = request.model ?? "fake-claude";
    const start = (inputTokens: number) => {
      const send = startSse(res);
      send(
        {
          type: "message_start",
          message: {
            id,
            type: "message",
            role: "assistant",
            model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: inputTokens, output_tokens: 1 },
          },
        },
        "message_start",
      );
      return send;
    };
    if (reply.kind === "error") return sendError(res, reply.error);
    if (reply.kind === "malformed") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end("<html>upstream connect error</html>");
      return;
    }
    if (reply.kind === "truncated") {
      if (!request.stream) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          `{"id":"${id}","type":"message","content":[{"type":"text","text":${JSON.stringify(reply.text)}`,
        );
        return;
      }
      const send = start(1);
      send(
        { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
        "content_block_start",
      );
      for (const piece of pieces(reply.text))
        send(
          { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: piece } },
          "content_block_delta",
        );
      res.end();
      return;
    }
    const tool = forcedTool(request.body);
    let toolCalls = reply.toolCalls;
    let text = reply.text;
    if (tool !== undefined && toolCalls.length === 0) {
      toolCalls = [{ id: `toolu_fake_${counter}`, name: tool, arguments: parseObject(text) ?? {} }];
      text = "";
    }
    const content = [
      ...(text === "" ? [] : [{ type: "text", text }]),
      ...toolCalls.map((call) => ({
        type: "tool_use",
        id: call.id,
        name: call.name,
        input: call.arguments,
      })),
    ];
    const stopReason = toolCalls.length > 0 ? "tool_use" : STOP_REASONS[reply.finishReason];
    const usage = {
      input_tokens: reply.usage.inputTokens,
      output_tokens: reply.usage.outputTokens,
    };
    if (!request.stream) {
      sendJson(res, 200, {
        id,
        type: "message",
        role: "assistant",
        model,
        content,
        stop_reason: stopReason,
        stop_sequence: null,
        usage,
      });
      return;
    }
    const send = start(usage.input_tokens);
    content.forEach((block, index) => {
      if (block.type === "text") {
        send(
          { type: "content_block_start", index, content_block: { type: "text", text: "" } },
          "content_block_start",
        );
        for (const piece of pieces(text))
          send(
            { type: "content_block_delta", index, delta: { type: "text_delta", text: piece } },
            "content_block_delta",
          );
      } else {
        send(
          { type: "content_block_start", index, content_block: { ...block, input: {} } },
          "content_block_start",
        );
        send(
          {
            type: "content_block_delta",
            index,
            delta: {
              type: "input_json_delta",
              partial_json: JSON.stringify("input" in block ? block.input : {}),
            },
          },
          "content_block_delta",
        );
      }
      send({ type: "content_block_stop", index }, "content_block_stop");
    });
    send(
      {
        type: "message_delta",
        delta: { stop_reason: stopReason, stop_sequence: null },
        usage: { output_tokens: usage.output_tokens },
      },
      "message_delta",
    );
    send({ type: "message_stop" }, "message_stop");
    res.end();
  }

  const server = await listenOnLoopback(
    async (req, res) => {
      const path = (req.url ?? "").split("?")[0] ?? "";
      const endpoint =
        req.method === "POST" && path === "/v1/messages"
          ? "messages"
          : req.method === "GET" && path === "/v1/models"
            ? "models"
            : undefined;
      if (endpoint === undefined) {
        sendError(res, { status: 404, message: `Not found: ${req.method ?? "?"} ${path}` });
        return;
      }
      const raw = await readBody(req);
      const body = endpoint === "models" ? {} : parseObject(raw);
      if (body === undefined) {
        sendError(res, { status: 400, message: "The request body is not valid JSON" });
        return;
      }
      const headers = headersOf(req);
      const system = body.system;
      const request: FakeAnthropicRequest = {
        endpoint,
        headers,
        apiKey: headers["x-api-key"] ?? null,
        model: typeof body.model === "string" ? body.model : null,
        stream: body.stream === true,
        body,
        prompt: lastUserText(body),
        system: typeof system === "string" ? system : textOf(system),
      };
      requests.push(request);
      if (options.apiKey !== undefined && request.apiKey !== options.apiKey) {
        sendError(res, { status: 401, message: "invalid x-api-key" });
        return;
      }
      if (endpoint === "messages") messages(res, request);
      else
        sendJson(res, 200, {
          data: models.map((id) => ({
            type: "model",
            id,
            display_name: id,
            created_at: "2025-01-01T00:00:00Z",
          })),
          has_more: false,
          first_id: models[0] ?? null,
          last_id: models.at(-1) ?? null,
        });
    },
    (res, error) =>
      sendError(res, { status: 500, message: `Fake Anthropic server failed: ${String(error)}` }),
  );

  return {
    baseUrl: `http://127.0.0.1:${server.port}/v1`,
    port: server.port,
    requests,
    enqueue: replies.enqueue,
    close: server.close,
  };
}
