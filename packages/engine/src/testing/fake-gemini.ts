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
 * A fake Google Gemini API for tests: a real HTTP server on 127.0.0.1 speaking
 * POST /v1beta/models/{model}:generateContent, :streamGenerateContent?alt=sse and GET /v1beta/models, with
 * functionCall parts and Google's error shape.
 */

/** `apiKey`: the x-goog-api-key header or the `key` query parameter; a wrong key gets Google's 400/401. */
export type FakeGeminiRequest = FakeProviderRequest<
  "generateContent" | "streamGenerateContent" | "models"
>;
/** `models`: listed with generateContent, plus one embedding-only model. */
export type FakeGeminiOptions = FakeProviderOptions<FakeGeminiRequest>;
export type FakeGeminiServer = FakeProviderServer<FakeGeminiRequest>;

const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
};

function sendError(
  res: ServerResponse,
  error: { status: number; message: string; retryAfter?: number },
): void {
  sendJson(
    res,
    error.status,
    {
      error: {
        code: error.status,
        message: error.message,
        status: STATUS_NAMES[error.status] ?? "UNKNOWN",
      },
    },
    retryAfterHeader(error),
  );
}

const FINISH_REASONS = {
  stop: "STOP",
  length: "MAX_TOKENS",
  content_filter: "SAFETY",
  tool_calls: "STOP",
} as const;

function lastUserText(body: Record<string, unknown>): string {
  const contents = Array.isArray(body.contents) ? (body.contents as unknown[]) : [];
  for (const content of [...contents].reverse()) {
    if (
      typeof content === "object" &&
      content !== null &&
      "role" in content &&
      content.role === "user"
    )
      return textOf("parts" in content ? content.parts : undefined);
  }
  return "";
}

export async function startFakeGemini(options: FakeGeminiOptions = {}): Promise<FakeGeminiServer> {
  const replies = replyQueue<FakeGeminiRequest>(options.reply);
  const requests: FakeGeminiRequest[] = [];
  const models = options.models ?? ["gemini-2.5-flash", "gemini-2.5-pro"];

  function generate(res: ServerResponse, request: FakeGeminiRequest): void {
    const reply = resolveReply(replies.next(request), `${request.system} ${request.prompt}`);
    const modelVersion = request.model ?? "fake-gemini";
    const candidate = (parts: unknown[], finishReason?: string) => ({
      content: { role: "model", parts },
      ...(finishReason === undefined ? {} : { finishReason }),
      index: 0,
    });
    if (reply.kind === "error") return sendError(res, reply.error);
    if (reply.kind === "malformed") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end("<html>502 Bad Gateway</html>");
      return;
    }
    if (reply.kind === "truncated") {
      if (!request.stream) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          `{"candidates":[{"content":{"role":"model","parts":[{"text":${JSON.stringify(reply.text)}`,
        );
        return;
      }
      const send = startSse(res);
      for (const piece of pieces(reply.text))
        send({ candidates: [candidate([{ text: piece }])], modelVersion });
      res.write('data: {"candidates":[{"content":');
      res.end();
      return;
    }
    const usageMetadata = {
      promptTokenCount: reply.usage.inputTokens,
      candidatesTokenCount: reply.usage.outputTokens,
      totalTokenCount: reply.usage.inputTokens + reply.usage.outputTokens,
    };
    const calls = reply.toolCalls.map((call) => ({
      functionCall: { name: call.name, args: call.arguments },
    }));
    const finishReason = FINISH_REASONS[reply.finishReason];
    if (!request.stream) {
      const parts = [...(reply.text === "" ? [] : [{ text: reply.text }]), ...calls];
      sendJson(res, 200, {
        candidates: [candidate(parts, finishReason)],
        usageMetadata,
        modelVersion,
      });
      return;
    }
    const send = startSse(res);
    for (const piece of pieces(reply.text))
      send({ candidates: [candidate([{ text: piece }])], modelVersion });
    send({ candidates: [candidate(calls, finishReason)], usageMetadata, modelVersion });
    res.end();
  }

  const server = await listenOnLoopback(
    async (req, res) => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const match = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/.exec(
        url.pathname,
      );
      const endpoint =
        req.method === "POST" && match
          ? (match[2] as "generateContent" | "streamGenerateContent")
          : req.method === "GET" && url.pathname === "/v1beta/models"
            ? "models"
            : undefined;
      if (endpoint === undefined) {
        sendError(res, { status: 404, message: `Not found: ${req.method ?? "?"} ${url.pathname}` });
        return;
      }
      const raw = await readBody(req);
      const body = endpoint === "models" ? {} : parseObject(raw);
      if (body === undefined) {
        sendError(res, { status: 400, message: "Invalid JSON payload received." });
        return;
      }
      const headers = headersOf(req);
      const instruction = body.systemInstruction;
      const request: FakeGeminiRequest = {
        endpoint,
        headers,
        apiKey: headers["x-goog-api-key"] ?? url.searchParams.get("key"),
        model: match?.[1] ?? null,
        stream: endpoint === "streamGenerateContent",
        body,
        prompt: lastUserText(body),
        system:
          typeof instruction === "object" && instruction !== null && "parts" in instruction
            ? textOf(instruction.parts)
            : "",
      };
      requests.push(request);
      if (options.apiKey !== undefined && request.apiKey !== options.apiKey) {
        sendError(res, { status: 401, message: "API key not valid. Please pass a valid API key." });
        return;
      }
      if (endpoint === "models")
        sendJson(res, 200, {
          models: [
            ...models.map((id) => ({
              name: `models/${id}`,
              supportedGenerationMethods: ["generateContent", "countTokens"],
            })),
            { name: "models/text-embedding-004", supportedGenerationMethods: ["embedContent"] },
          ],
        });
      else generate(res, request);
    },
    (res, error) =>
      sendError(res, { status: 500, message: `Fake Gemini server failed: ${String(error)}` }),
  );

  return {
    baseUrl: `http://127.0.0.1:${server.port}/v1beta`,
    port: server.port,
    requests,
    enqueue: replies.enqueue,
    close: server.close,
  };
}
