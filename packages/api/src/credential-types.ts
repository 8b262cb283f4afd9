import { z } from "zod";

import { parseHeaderObject } from "@runnel/engine/services";

/**
 * The kinds of credential a node can use. `data` holds the secret fields; it is validated against the type's
 * schema, encrypted, and never returned by any procedure. The JSON Schema of each type drives the web form.
 */
const secret = (title: string) =>
  z.string().min(1, `${title} is required`).meta({ title, writeOnly: true });

/** A base URL is configuration, not a secret: it is shown after saving (see `settingsOf`). */
const baseUrl = (description: string) =>
  z
    .url({ protocol: /^https?$/, error: "Base URL must be an http(s) URL" })
    .meta({ title: "Base URL", description });

/** The model providers of docs/ai.md: one type each, named as the engine's provider registry names them. */
export const MODEL_PROVIDER_TYPES = ["openai", "openaiCompatible", "anthropic", "gemini"] as const;

export const CREDENTIAL_TYPES = {
  openai: {
    label: "OpenAI",
    schema: z.strictObject({
      apiKey: secret("API key"),
      baseUrl: baseUrl(
        "Only for a proxy in front of OpenAI; default https://api.openai.com/v1",
      ).optional(),
    }),
  },
  openaiCompatible: {
    label: "OpenAI-compatible (Ollama, vLLM, LM Studio)",
    schema: z.strictObject({
      baseUrl: baseUrl("e.g. http://127.0.0.1:11434/v1 for Ollama"),
      apiKey: z
        .string()
        .min(1)
        .optional()
        .meta({ title: "API key (if the server needs one)", writeOnly: true }),
    }),
  },
  anthropic: {
    label: "Anthropic",
    schema: z.strictObject({
      apiKey: secret("API key"),
      baseUrl: baseUrl("Only for a proxy; default https://api.anthropic.com/v1").optional(),
    }),
  },
  gemini: {
    label: "Google Gemini",
    schema: z.strictObject({
      apiKey: secret("API key"),
      baseUrl: baseUrl(
        "Only for a proxy; default https://generativelanguage.googleapis.com/v1beta",
      ).optional(),
    }),
  },
  httpBearer: {
    label: "HTTP bearer token",
    schema: z.strictObject({ token: secret("Token") }),
  },
  httpBasic: {
    label: "HTTP basic auth",
    schema: z.strictObject({
      username: z.string().min(1, "Username is required").meta({ title: "Username" }),
      password: secret("Password"),
    }),
  },
  httpHeader: {
    label: "HTTP header",
    schema: z.strictObject({
      name: z
        .string()
        .regex(
          /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/,
          "Header name may contain only letters, digits and !#$%&'*+.^_`|~-",
        )
        .meta({ title: "Header name" }),
      value: secret("Header value"),
    }),
  },
  mcp: {
    label: "MCP server",
    schema: z
      .strictObject({
        bearerToken: z.string().min(1).optional().meta({
          title: "Bearer token",
          description: "Sent as Authorization: Bearer …",
          writeOnly: true,
        }),
        headers: z
          .string()
          .min(1)
          .optional()
          .superRefine((text, context) => {
            if (text === undefined) return;
            try {
              parseHeaderObject(text);
            } catch (error) {
              context.addIssue({ code: "custom", message: (error as Error).message });
            }
          })
          .meta({
            title: "Headers",
            description: 'A JSON object of header → value, e.g. {"X-Api-Key": "..."}',
            writeOnly: true,
          }),
      })
      .refine((data) => data.bearerToken !== undefined || data.headers !== undefined, {
        message: "Give a bearer token, headers, or both",
      }),
  },
} as const;

export type CredentialType = keyof typeof CREDENTIAL_TYPES;
export const CREDENTIAL_TYPE_NAMES = Object.keys(CREDENTIAL_TYPES) as [
  CredentialType,
  ...CredentialType[],
];
export const CredentialTypeName = z.enum(CREDENTIAL_TYPE_NAMES);

export function isCredentialType(value: string): value is CredentialType {
  return Object.hasOwn(CREDENTIAL_TYPES, value);
}

export function isModelProviderType(type: string): type is (typeof MODEL_PROVIDER_TYPES)[number] {
  return (MODEL_PROVIDER_TYPES as readonly string[]).includes(type);
}

/** The fields of a credential that are configuration rather than secrets (not `writeOnly`), e.g. a base URL. */
export function settingsOf(type: string, data: Record<string, string>): Record<string, string> {
  if (!isCredentialType(type)) return {};
  const schema = z.toJSONSchema(CREDENTIAL_TYPES[type].schema) as {
    properties?: Record<string, { writeOnly?: boolean }>;
  };
  const settings: Record<string, string> = {};
  for (const [field, property] of Object.entries(schema.properties ?? {})) {
    const value = data[field];
    if (property.writeOnly !== true && value !== undefined) settings[field] = value;
  }
  return settings;
}

/** Each type with its JSON Schema (for forms). */
export function describeCredentialTypes() {
  return CREDENTIAL_TYPE_NAMES.map((type) => ({
    type,
    label: CREDENTIAL_TYPES[type].label,
    /** A model provider's credential: `credentials.test` and `credentials.models` accept it. */
    modelProvider: isModelProviderType(type),
    schema: z.toJSONSchema(CREDENTIAL_TYPES[type].schema),
  }));
}

/** Validates secret fields for a type; empty strings count as "not given". Issues are reported under `data.<field>`. */
export function parseCredentialData(type: CredentialType, data: Record<string, string>) {
  const given = Object.fromEntries(Object.entries(data).filter(([, value]) => value !== ""));
  const result = CREDENTIAL_TYPES[type].schema.safeParse(given);
  if (result.success)
    return { success: true as const, data: result.data as Record<string, string> };
  return {
    success: false as const,
    error: new z.ZodRealError(
      result.error.issues.map((issue) => ({ ...issue, path: ["data", ...issue.path] })),
    ),
  };
}
