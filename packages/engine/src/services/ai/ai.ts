import { createOpenAI } from "@ai-sdk/openai";
import {
  APICallError,
  embedMany,
  generateText,
  jsonSchema,
  NoObjectGeneratedError,
  Output,
} from "ai";

import type {
  AiService,
  CredentialsService,
  HttpService,
  JsonValue,
  TokenUsage,
} from "@runnel/nodes";
import { checkAgainstJsonSchema } from "@runnel/nodes";

export interface AiServiceOptions {
  credentials: CredentialsService;
  /** The SSRF-safe HTTP service: every model call goes through it. */
  http: HttpService;
  /** Per model call, ms (default 120 000). */
  timeoutMs?: number;
  /** Largest model response, bytes (default 20 MiB). */
  maxResponseBytes?: number;
  /** Retries inside one call (default 0: retries are the node's own setting). */
  maxRetries?: number;
}

/** The credential type the AI service reads: `{ apiKey, baseUrl? }`. */
export const OPENAI_CREDENTIAL_TYPE = "openai";

export class AiCallError extends Error {
  override readonly name = "AiCallError";
  readonly code = "AI_CALL_FAILED";
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const);
type Method = typeof METHODS extends Set<infer M> ? M : never;

function isMethod(value: string): value is Method {
  return (METHODS as Set<string>).has(value);
}

/**
 * A `fetch` for the AI SDK that sends every request through the SSRF-safe HTTP service (so a
 * credential's base URL is subject to the same allow-list as the HTTP node).
 */
export function safeFetchFor(
  http: HttpService,
  limits: { timeoutMs: number; maxResponseBytes: number },
): typeof fetch {
  return async (input, init) => {
    const request = input instanceof Request ? input : undefined;
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const method = (init?.method ?? request?.method ?? "GET").toUpperCase();
    if (!isMethod(method)) throw new AiCallError(`Unsupported HTTP method ${method} for ${url}`);
    const headers: Record<string, string> = {};
    new Headers(init?.headers ?? request?.headers).forEach((value, name) => {
      headers[name] = value;
    });
    let body: string | Uint8Array | undefined;
    const rawBody = init?.body ?? (request ? await request.text() : undefined);
    if (typeof rawBody === "string") body = rawBody;
    else if (rawBody instanceof Uint8Array) body = rawBody;
    else if (rawBody !== undefined && rawBody !== null)
      body = new Uint8Array(await new Response(rawBody).arrayBuffer());
    const response = await http.fetch({
      url,
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      timeoutMs: limits.timeoutMs,
      maxResponseBytes: limits.maxResponseBytes,
    });
    const nullBody = response.status === 204 || response.status === 304 || method === "HEAD";
    return new Response(nullBody ? null : Buffer.from(response.body), {
      status: response.status,
      headers: response.headers,
    });
  };
}

function toUsage(usage: {
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  totalTokens: number | undefined;
}): TokenUsage {
  const inputTokens = usage.inputTokens ?? 0;
  const outputTokens = usage.outputTokens ?? 0;
  return {
    inputTokens,
    outputTokens,
    totalTokens: usage.totalTokens ?? inputTokens + outputTokens,
  };
}

function explain(error: unknown, model: string): Error {
  if (APICallError.isInstance(error)) {
    return new AiCallError(
      `Model ${model} call to ${error.url} failed${error.statusCode === undefined ? "" : ` with status ${error.statusCode}`}: ${error.message}`,
      error.statusCode,
    );
  }
  if (NoObjectGeneratedError.isInstance(error)) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return new AiCallError(
      `Model ${model} did not return an object matching the output schema${cause}`,
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** LLM calls through the AI SDK with an `openai` credential (OpenAI or any compatible server). */
export function createAiService(options: AiServiceOptions): AiService {
  const limits = {
    timeoutMs: options.timeoutMs ?? 120_000,
    maxResponseBytes: options.maxResponseBytes ?? 20 * 1024 * 1024,
  };
  const maxRetries = options.maxRetries ?? 0;
  const fetchThroughGuard = safeFetchFor(options.http, limits);

  async function provider(credentialId: string) {
    const secret = await options.credentials.get(credentialId, OPENAI_CREDENTIAL_TYPE);
    const apiKey = secret.apiKey;
    if (apiKey === undefined || apiKey === "") {
      throw new AiCallError(`Credential ${credentialId} has no apiKey`);
    }
    const baseUrl =
      secret.baseUrl === undefined || secret.baseUrl === "" ? undefined : secret.baseUrl;
    return createOpenAI({
      apiKey,
      ...(baseUrl === undefined ? {} : { baseURL: baseUrl }),
      fetch: fetchThroughGuard,
    });
  }

  return {
    async generateText({ credentialId, model, system, prompt, temperature, maxOutputTokens }) {
      const openai = await provider(credentialId);
      try {
        const result = await generateText({
          model: openai.chat(model),
          ...(system === undefined ? {} : { instructions: system }),
          prompt,
          ...(temperature === undefined ? {} : { temperature }),
          ...(maxOutputTokens === undefined ? {} : { maxOutputTokens }),
          maxRetries,
        });
        return {
          text: result.text,
          usage: toUsage(result.usage),
          finishReason: result.finishReason,
        };
      } catch (error) {
        throw explain(error, model);
      }
    },

    async generateObject({ credentialId, model, system, prompt, jsonSchema: schema, temperature }) {
      const openai = await provider(credentialId);
      const outputSchema = jsonSchema<JsonValue>(schema, {
        validate: (value) => {
          const problem = checkAgainstJsonSchema(schema, value);
          return problem === undefined
            ? { success: true, value: value as JsonValue }
            : {
                success: false,
                error: new Error(`the object does not match the output schema (${problem})`),
              };
        },
      });
      try {
        const result = await generateText({
          model: openai.chat(model),
          ...(system === undefined ? {} : { instructions: system }),
          prompt,
          ...(temperature === undefined ? {} : { temperature }),
          output: Output.object({ schema: outputSchema }),
          maxRetries,
        });
        return { object: result.output, usage: toUsage(result.usage) };
      } catch (error) {
        throw explain(error, model);
      }
    },

    async embed({ credentialId, model, values }) {
      const openai = await provider(credentialId);
      try {
        const result = await embedMany({ model: openai.embedding(model), values, maxRetries });
        const tokens = result.usage.tokens;
        return {
          embeddings: result.embeddings,
          usage: { inputTokens: tokens, outputTokens: 0, totalTokens: tokens },
        };
      } catch (error) {
        throw explain(error, model);
      }
    },
  };
}
