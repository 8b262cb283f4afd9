import type { LanguageModel } from "ai";
import { createAnthropic } from "@ai-sdk/anthropic";
import { createGoogleGenerativeAI } from "@ai-sdk/google";
import { createOpenAI } from "@ai-sdk/openai";

import { LLM_CREDENTIAL_TYPES } from "@runnel/nodes";

/**
 * The model providers Runnel calls through the AI SDK, one credential type each (docs/ai.md). This is the only
 * place a credential turns into a model: agents and the LLM nodes both come through here.
 */
export const AI_PROVIDERS = {
  openai: { label: "OpenAI", defaultBaseUrl: "https://api.openai.com/v1" },
  openaiCompatible: { label: "OpenAI-compatible", defaultBaseUrl: undefined },
  anthropic: { label: "Anthropic", defaultBaseUrl: "https://api.anthropic.com/v1" },
  gemini: {
    label: "Google Gemini",
    defaultBaseUrl: "https://generativelanguage.googleapis.com/v1beta",
  },
} as const satisfies Record<
  (typeof LLM_CREDENTIAL_TYPES)[number],
  { label: string; defaultBaseUrl: string | undefined }
>;

export type AiProvider = keyof typeof AI_PROVIDERS;

/** The credential types a model field accepts; each is named after its provider. */
export const AI_CREDENTIAL_TYPES: readonly AiProvider[] = LLM_CREDENTIAL_TYPES;

export function isAiProvider(type: string): type is AiProvider {
  return Object.hasOwn(AI_PROVIDERS, type);
}

/** A provider credential's fields: `apiKey` (optional only for OpenAI-compatible servers) and `baseUrl`. */
export interface ProviderCredential {
  provider: AiProvider;
  apiKey: string | undefined;
  baseUrl: string | undefined;
}

export function providerCredential(
  provider: AiProvider,
  data: Record<string, string>,
): ProviderCredential {
  const nonEmpty = (value: string | undefined) =>
    value === undefined || value === "" ? undefined : value;
  return { provider, apiKey: nonEmpty(data.apiKey), baseUrl: nonEmpty(data.baseUrl) };
}

/** The base URL calls go to, without a trailing slash. */
export function baseUrlOf(credential: ProviderCredential): string | undefined {
  const url = credential.baseUrl ?? AI_PROVIDERS[credential.provider].defaultBaseUrl;
  return url?.replace(/\/+$/, "");
}

/**
 * A language model of the credential's provider. OpenAI uses the Responses API; an OpenAI-compatible server
 * (Ollama, vLLM, LM Studio) uses chat completions, which all of them speak.
 */
export function languageModel(
  credential: ProviderCredential,
  model: string,
  fetch: typeof globalThis.fetch,
): LanguageModel {
  const baseURL = baseUrlOf(credential);
  const common = { fetch, ...(baseURL === undefined ? {} : { baseURL }) };
  switch (credential.provider) {
    case "openai":
      return createOpenAI({ ...common, apiKey: credential.apiKey ?? "" }).responses(model);
    case "openaiCompatible":
      return createOpenAI({
        ...common,
        apiKey: credential.apiKey ?? "",
        name: "openai-compatible",
      }).chat(model);
    case "anthropic":
      return createAnthropic({ ...common, apiKey: credential.apiKey ?? "" })(model);
    case "gemini":
      return createGoogleGenerativeAI({ ...common, apiKey: credential.apiKey ?? "" })(model);
  }
}

/** An embedding model; only the OpenAI API shapes are supported for embeddings today (docs/ai.md). */
export function embeddingModel(
  credential: ProviderCredential,
  model: string,
  fetch: typeof globalThis.fetch,
) {
  const baseURL = baseUrlOf(credential);
  switch (credential.provider) {
    case "openai":
    case "openaiCompatible":
      return createOpenAI({
        fetch,
        apiKey: credential.apiKey ?? "",
        ...(baseURL === undefined ? {} : { baseURL }),
      }).embedding(model);
    case "gemini":
      return createGoogleGenerativeAI({
        fetch,
        apiKey: credential.apiKey ?? "",
        ...(baseURL === undefined ? {} : { baseURL }),
      }).embedding(model);
    case "anthropic":
      return undefined;
  }
}
