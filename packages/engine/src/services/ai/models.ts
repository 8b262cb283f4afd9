import type { HttpService } from "@runnel/nodes";

import type { AiProvider, ProviderCredential } from "./providers";
import { AiCallError } from "./errors";
import { AI_PROVIDERS, baseUrlOf, providerCredential } from "./providers";

/** Anthropic's API version header (docs/ai.md). */
const ANTHROPIC_VERSION = "2023-06-01";
const LIST_TIMEOUT_MS = 10_000;
const LIST_MAX_BYTES = 4 * 1024 * 1024;

function authHeaders(credential: ProviderCredential): Record<string, string> {
  const key = credential.apiKey;
  if (key === undefined) return {};
  switch (credential.provider) {
    case "openai":
    case "openaiCompatible":
      return { authorization: `Bearer ${key}` };
    case "anthropic":
      return { "x-api-key": key, "anthropic-version": ANTHROPIC_VERSION };
    case "gemini":
      return { "x-goog-api-key": key };
  }
}

function idsOf(provider: AiProvider, body: unknown): string[] {
  if (typeof body !== "object" || body === null) return [];
  if (provider === "gemini") {
    const models = (body as { models?: unknown }).models;
    if (!Array.isArray(models)) return [];
    return models.flatMap((model: unknown) => {
      if (typeof model !== "object" || model === null) return [];
      const { name, supportedGenerationMethods: methods } = model as Record<string, unknown>;
      if (typeof name !== "string") return [];
      if (Array.isArray(methods) && !methods.includes("generateContent")) return [];
      return [name.replace(/^models\//, "")];
    });
  }
  const data = (body as { data?: unknown }).data;
  if (!Array.isArray(data)) return [];
  return data.flatMap((model: unknown) =>
    typeof model === "object" && model !== null && "id" in model && typeof model.id === "string"
      ? [model.id]
      : [],
  );
}

/**
 * The models a provider credential can use, from the provider's model list (OpenAI and compatible servers
 * GET /models, Anthropic GET /v1/models, Gemini GET /v1beta/models). It is also "Test connection": a cheap
 * authenticated call whose failure names the provider and status and never the key.
 */
export async function listModels(
  http: HttpService,
  type: AiProvider,
  data: Record<string, string>,
): Promise<string[]> {
  const credential = providerCredential(type, data);
  const label = AI_PROVIDERS[type].label;
  const base = baseUrlOf(credential);
  if (base === undefined)
    throw new AiCallError(`${label}: the credential has no base URL`, {
      provider: type,
      retryable: false,
    });
  const url = `${base}/models${type === "gemini" ? "?pageSize=1000" : type === "anthropic" ? "?limit=1000" : ""}`;
  let response;
  try {
    response = await http.fetch({
      url,
      method: "GET",
      headers: { accept: "application/json", ...authHeaders(credential) },
      timeoutMs: LIST_TIMEOUT_MS,
      maxResponseBytes: LIST_MAX_BYTES,
    });
  } catch (error) {
    throw new AiCallError(`${label}: could not reach ${base} (${(error as Error).message})`, {
      provider: type,
      retryable: true,
    });
  }
  const status = response.status;
  if (status === 401 || status === 403)
    throw new AiCallError(`${label} rejected the credential (status ${status})`, {
      provider: type,
      status,
      retryable: false,
    });
  if (status < 200 || status >= 300)
    throw new AiCallError(`${label}: listing models at ${base} failed with status ${status}`, {
      provider: type,
      status,
      retryable: status === 429 || status >= 500,
    });
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(response.body).toString("utf8"));
  } catch {
    throw new AiCallError(`${label}: the model list from ${base} is not JSON`, {
      provider: type,
      status,
      retryable: false,
    });
  }
  return [...new Set(idsOf(type, body))].sort();
}
