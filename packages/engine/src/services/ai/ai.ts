import { embedMany, generateText, jsonSchema, Output } from "ai";

import type {
  AiService,
  CredentialsService,
  HttpService,
  JsonValue,
  LlmUsage,
  TokenUsage,
} from "@runnel/nodes";
import { checkAgainstJsonSchema } from "@runnel/nodes";

import type { PriceTable } from "./pricing";
import type { ProviderCredential } from "./providers";
import { pricesFromEnv } from "./env";
import { AiCallError, explainAiError } from "./errors";
import { costOf } from "./pricing";
import {
  AI_CREDENTIAL_TYPES,
  AI_PROVIDERS,
  embeddingModel,
  isAiProvider,
  languageModel,
  providerCredential,
} from "./providers";
import { safeFetchFor } from "./safe-fetch";
import { assistantContent, declaredTools, toModelMessages, toolCallsOf } from "./turn";

export interface AiServiceOptions {
  credentials: CredentialsService;
  /** The SSRF-safe HTTP service: every model call goes through it. */
  http: HttpService;
  /** Per model call, ms (default 120 000). */
  timeoutMs?: number;
  /** Largest model response, bytes (default 20 MiB). */
  maxResponseBytes?: number;
  /** Retries of a transient failure (429, 5xx, connection) inside one call (default 2; docs/ai.md). */
  maxRetries?: number;
  /** Prices per model; default: the documented table with RUNNEL_AI_PRICES laid over it. */
  prices?: PriceTable;
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

/** Model calls through the AI SDK with the provider the credential's type names (docs/ai.md). */
export function createAiService(options: AiServiceOptions): AiService {
  const limits = {
    timeoutMs: options.timeoutMs ?? 120_000,
    maxResponseBytes: options.maxResponseBytes ?? 20 * 1024 * 1024,
  };
  const maxRetries = options.maxRetries ?? 2;
  const fetchThroughGuard = safeFetchFor(options.http, limits);
  let prices = options.prices;
  const priceTable = () => (prices ??= pricesFromEnv());

  async function credentialFor(credentialId: string): Promise<ProviderCredential> {
    const { type, data } = await options.credentials.resolve(credentialId, AI_CREDENTIAL_TYPES);
    if (!isAiProvider(type))
      throw new AiCallError(`Credential ${credentialId} is not a model provider credential`);
    const credential = providerCredential(type, data);
    if (credential.apiKey === undefined && type !== "openaiCompatible")
      throw new AiCallError(
        `Credential ${credentialId} (${AI_PROVIDERS[type].label}) has no apiKey`,
        {
          provider: type,
          retryable: false,
        },
      );
    if (type === "openaiCompatible" && credential.baseUrl === undefined)
      throw new AiCallError(`Credential ${credentialId} (OpenAI-compatible) has no baseUrl`, {
        provider: type,
        retryable: false,
      });
    return credential;
  }

  async function call<T>(
    credential: ProviderCredential,
    model: string,
    run: () => Promise<T>,
  ): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw explainAiError(error, {
        provider: credential.provider,
        model,
        secrets: credential.apiKey === undefined ? [] : [credential.apiKey],
      });
    }
  }

  const priced = (model: string, usage: TokenUsage): LlmUsage => ({
    ...usage,
    costUsd: costOf(priceTable(), model, usage),
  });

  const outputOf = (schema: Record<string, unknown>) =>
    Output.object({
      schema: jsonSchema<JsonValue>(schema, {
        validate: (value) => {
          const problem = checkAgainstJsonSchema(schema, value);
          return problem === undefined
            ? { success: true, value: value as JsonValue }
            : {
                success: false,
                error: new Error(`the object does not match the output schema (${problem})`),
              };
        },
      }),
    });

  return {
    async generateTurn({
      credentialId,
      model,
      system,
      messages,
      tools,
      toolChoice,
      temperature,
      outputSchema,
    }) {
      const credential = await credentialFor(credentialId);
      const result = await call(credential, model, () =>
        generateText({
          model: languageModel(credential, model, fetchThroughGuard),
          ...(system === undefined ? {} : { instructions: system }),
          messages: toModelMessages(messages),
          ...(tools.length === 0
            ? {}
            : { tools: declaredTools(tools), toolChoice: toolChoice ?? "auto" }),
          ...(temperature === undefined ? {} : { temperature }),
          ...(outputSchema === undefined ? {} : { output: outputOf(outputSchema) }),
          maxRetries,
        }),
      );
      const toolCalls = toolCallsOf(result.toolCalls);
      return {
        text: result.text,
        toolCalls,
        assistant: assistantContent(result.response.messages),
        ...(outputSchema !== undefined && toolCalls.length === 0
          ? { object: await call(credential, model, () => Promise.resolve(result.output)) }
          : {}),
        usage: priced(model, toUsage(result.usage)),
        finishReason: result.finishReason,
      };
    },

    async generateText({ credentialId, model, system, prompt, temperature, maxOutputTokens }) {
      const credential = await credentialFor(credentialId);
      const result = await call(credential, model, () =>
        generateText({
          model: languageModel(credential, model, fetchThroughGuard),
          ...(system === undefined ? {} : { instructions: system }),
          prompt,
          ...(temperature === undefined ? {} : { temperature }),
          ...(maxOutputTokens === undefined ? {} : { maxOutputTokens }),
          maxRetries,
        }),
      );
      return {
        text: result.text,
        usage: priced(model, toUsage(result.usage)),
        finishReason: result.finishReason,
      };
    },

    async generateObject({ credentialId, model, system, prompt, jsonSchema: schema, temperature }) {
      const credential = await credentialFor(credentialId);
      const result = await call(credential, model, () =>
        generateText({
          model: languageModel(credential, model, fetchThroughGuard),
          ...(system === undefined ? {} : { instructions: system }),
          prompt,
          ...(temperature === undefined ? {} : { temperature }),
          output: outputOf(schema),
          maxRetries,
        }),
      );
      return { object: result.output, usage: priced(model, toUsage(result.usage)) };
    },

    async embed({ credentialId, model, values }) {
      const credential = await credentialFor(credentialId);
      const embedder = embeddingModel(credential, model, fetchThroughGuard);
      if (embedder === undefined)
        throw new AiCallError(
          `${AI_PROVIDERS[credential.provider].label} has no embedding models; use another provider's credential`,
          { provider: credential.provider, model, retryable: false },
        );
      const result = await call(credential, model, () =>
        embedMany({ model: embedder, values, maxRetries }),
      );
      const tokens = result.usage.tokens;
      return {
        embeddings: result.embeddings,
        usage: { inputTokens: tokens, outputTokens: 0, totalTokens: tokens },
      };
    },
  };
}
