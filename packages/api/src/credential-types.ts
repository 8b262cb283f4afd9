import { z } from "zod";

/**
 * The kinds of credential a node can use. `data` holds the secret fields; it is validated against the type's
 * schema, encrypted, and never returned by any procedure. The JSON Schema of each type drives the web form.
 */
const secret = (title: string) =>
  z.string().min(1, `${title} is required`).meta({ title, writeOnly: true });

export const CREDENTIAL_TYPES = {
  openai: {
    label: "OpenAI (or an OpenAI-compatible API)",
    schema: z.strictObject({
      apiKey: secret("API key"),
      baseUrl: z
        .url({ protocol: /^https?$/, error: "Base URL must be an http(s) URL" })
        .optional()
        .meta({ title: "Base URL" }),
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

/** Each type with its JSON Schema (for forms). */
export function describeCredentialTypes() {
  return CREDENTIAL_TYPE_NAMES.map((type) => ({
    type,
    label: CREDENTIAL_TYPES[type].label,
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
