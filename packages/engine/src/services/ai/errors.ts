import { APICallError, NoObjectGeneratedError, RetryError } from "ai";

import type { AiProvider } from "./providers";
import { AI_PROVIDERS } from "./providers";

/**
 * A failed model call: names the provider, the model and the HTTP status, never the API key. `retryable` is true
 * only for transient failures (429, 408, 409, 5xx, a connection that broke); the AI SDK has already retried those
 * within the call (docs/ai.md).
 */
export class AiCallError extends Error {
  override readonly name = "AiCallError";
  readonly code = "AI_CALL_FAILED";
  constructor(
    message: string,
    readonly details: {
      provider?: AiProvider;
      model?: string;
      status?: number;
      retryable: boolean;
      retryAfterMs?: number;
    } = { retryable: false },
  ) {
    super(message);
  }

  get status(): number | undefined {
    return this.details.status;
  }
}

const MAX_DETAIL = 300;

function retryAfterMs(headers: Record<string, string> | undefined): number | undefined {
  const value = headers?.["retry-after"];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The provider's own message, e.g. `{"error":{"message":"..."}}`, shortened. */
function providerMessage(error: APICallError): string {
  const fromBody = (() => {
    try {
      const parsed: unknown = JSON.parse(error.responseBody ?? "");
      const inner =
        typeof parsed === "object" && parsed !== null && "error" in parsed ? parsed.error : parsed;
      if (typeof inner === "object" && inner !== null && "message" in inner)
        return typeof inner.message === "string" ? inner.message : undefined;
      return undefined;
    } catch {
      return undefined;
    }
  })();
  const text = fromBody ?? error.message;
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}…` : text;
}

function withoutSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join("[redacted]");
  return out;
}

/** Turns whatever the AI SDK threw into an AiCallError naming provider, model and status. */
export function explainAiError(
  error: unknown,
  context: { provider: AiProvider; model: string; secrets: readonly string[] },
): AiCallError {
  const label = `${AI_PROVIDERS[context.provider].label} model ${context.model}`;
  const base = { provider: context.provider, model: context.model };
  const make = (message: string, details: Omit<AiCallError["details"], "provider" | "model">) =>
    new AiCallError(withoutSecrets(message, context.secrets), { ...base, ...details });

  const last = RetryError.isInstance(error) ? error.lastError : error;
  const attempts = RetryError.isInstance(error) ? ` after ${error.errors.length} attempts` : "";
  if (APICallError.isInstance(last)) {
    const status = last.statusCode;
    if (status === undefined) {
      const cause = last.cause instanceof Error ? last.cause.message : last.message;
      return make(`${label}: could not reach the provider${attempts} (${cause})`, {
        retryable: last.isRetryable,
      });
    }
    const what =
      status === 401 || status === 403
        ? "the provider rejected the credential"
        : status === 429
          ? "rate limited by the provider"
          : status >= 500
            ? "the provider failed"
            : "the provider refused the request";
    const after = retryAfterMs(last.responseHeaders);
    return make(`${label}: ${what} (status ${status})${attempts}: ${providerMessage(last)}`, {
      status,
      retryable: last.isRetryable,
      ...(after === undefined ? {} : { retryAfterMs: after }),
    });
  }
  if (NoObjectGeneratedError.isInstance(last)) {
    const cause = last.cause instanceof Error ? `: ${last.cause.message}` : "";
    return make(`${label} did not return an object matching the output schema${cause}`, {
      retryable: false,
    });
  }
  if (last instanceof AiCallError) return last;
  const message = last instanceof Error ? last.message : String(last);
  return make(`${label}: the response could not be read (${message})`, { retryable: false });
}
