import { z } from "zod";

/** The part of a JSON Schema (as z.toJSONSchema emits it) that a credential form needs. */
const PropertySchema = z.looseObject({
  type: z.unknown().optional(),
  title: z.string().optional(),
  description: z.string().optional(),
  format: z.string().optional(),
  writeOnly: z.boolean().optional(),
  enum: z.array(z.unknown()).optional(),
});
const ObjectSchema = z.looseObject({
  properties: z.record(z.string(), PropertySchema).default({}),
  required: z.array(z.string()).default([]),
});

export interface SchemaField {
  name: string;
  label: string;
  description: string | undefined;
  required: boolean;
  /** How the browser input masks or checks the value. */
  inputType: "text" | "password" | "url";
  /** Allowed values when the schema is an enum of strings. */
  options: string[] | undefined;
}

const WORDS: Record<string, string> = { api: "API", url: "URL", id: "ID", http: "HTTP" };

/** "apiKey" → "API key", "baseUrl" → "Base URL". */
export function humanize(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .trim()
    .split(/\s+/)
    .map((word) => WORDS[word.toLowerCase()] ?? word.toLowerCase());
  const [first = "", ...rest] = words;
  const head = WORDS[first.toLowerCase()] ? first : first.charAt(0).toUpperCase() + first.slice(1);
  return [head, ...rest].join(" ");
}

const PLAIN_TEXT = new Set(["username", "user", "name", "header", "headerName", "organization"]);

/**
 * The form fields for an object JSON Schema: one per property, in schema order. Values are masked
 * (password inputs) unless they are URLs or obviously not secret (a username, a header name).
 */
export function schemaFields(schema: unknown): SchemaField[] {
  const parsed = ObjectSchema.safeParse(schema);
  if (!parsed.success) return [];
  const { properties, required } = parsed.data;
  return Object.entries(properties).map(([name, property]) => {
    const options = property.enum?.filter((value): value is string => typeof value === "string");
    return {
      name,
      label: property.title ?? humanize(name),
      description: property.description,
      required: required.includes(name),
      inputType:
        property.format === "uri" || property.format === "url"
          ? "url"
          : PLAIN_TEXT.has(name) && property.writeOnly !== true
            ? "text"
            : "password",
      options: options && options.length > 0 ? options : undefined,
    };
  });
}

/** Collects `data.<field>` inputs of a form into the credential's data object (blank fields left out). */
export function collectData(form: FormData, fields: SchemaField[]): Record<string, string> {
  const data: Record<string, string> = {};
  for (const field of fields) {
    const value = form.get(`data.${field.name}`);
    if (typeof value === "string" && value !== "") data[field.name] = value;
  }
  return data;
}
