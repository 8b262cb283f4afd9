import { z } from "zod";

import type { JsonValue } from "../context";
import type { JsonSchema } from "../define";
import { isJsonValue } from "../json";

/** Any JSON value, for port schemas (a port's value is checked against its schema, never replaced by the parse). */
export const JsonData = z.json();

/**
 * Any JSON value in a node's config (usually an expression's result), kept as it is. The config is replaced by its
 * parse, and `z.json()` copies objects and silently drops `__proto__` keys; data is data (docs/expressions.md).
 */
export const JsonConfigData = z.unknown().pipe(
  z.custom<JsonValue>(isJsonValue, {
    message: "must be JSON (strings, finite numbers, booleans, null, lists and plain objects)",
  }),
);

/** A JSON object, kept as it is like JsonConfigData (approval form data, for instance). */
export const JsonObjectData = z
  .unknown()
  .pipe(
    z.custom<Record<string, JsonValue>>(
      (value) =>
        typeof value === "object" && value !== null && !Array.isArray(value) && isJsonValue(value),
      { message: "must be a JSON object" },
    ),
  );

/**
 * Checks `value` against `schema` and, when it matches, returns the value itself rather than zod's copy: zod rebuilds
 * objects and drops `__proto__` keys, and data is data (docs/expressions.md). Only for schemas without defaults or
 * transforms, whose output is their input.
 */
export function checkData<T>(schema: z.ZodType<T>, value: unknown): z.ZodSafeParseResult<T> {
  const result = schema.safeParse(value);
  return result.success ? { success: true, data: value as T } : result;
}

const UNIT_MS = { seconds: 1_000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;

/** A duration as amount + unit, e.g. `{ amount: 5, unit: "minutes" }`. */
export const Duration = z.object({
  amount: z.number().int().positive(),
  unit: z.enum(["seconds", "minutes", "hours", "days"]),
});
export type Duration = z.infer<typeof Duration>;

export function durationMs(duration: Duration): number {
  return duration.amount * UNIT_MS[duration.unit];
}

/**
 * A JSON Schema document the runtime can validate with (`z.fromJSONSchema`): local `$ref`s only.
 * Used for trigger input schemas, the API output schema and approval forms.
 */
export const JsonSchemaDocument = z.record(z.string(), z.unknown()).superRefine((schema, ctx) => {
  try {
    z.fromJSONSchema(schema);
  } catch (error) {
    ctx.addIssue({
      code: "custom",
      message: `not a usable JSON Schema: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
});

/** Validates `value` against a JSON Schema document; returns the first problem as "path: message". */
export function checkAgainstJsonSchema(schema: JsonSchema, value: unknown): string | undefined {
  const result = z.fromJSONSchema(schema).safeParse(value);
  if (result.success) return undefined;
  const issue = result.error.issues[0];
  if (issue === undefined) return "does not match the schema";
  const where = issue.path.map(String).join(".");
  return where === "" ? issue.message : `${where}: ${issue.message}`;
}

/**
 * A dot path of field names (`customer.address.city`). Any name is a field, `constructor` and `__proto__` included
 * (data is data, docs/expressions.md): the nodes that follow a path read and write own properties only.
 */
export const FieldPath = z
  .string()
  .min(1)
  .regex(
    /^[A-Za-z_$][\w$-]*(\.[A-Za-z_$][\w$-]*)*$/,
    "a field path is names joined by dots, e.g. customer.name",
  );

/** True when an IANA time zone name is known to this runtime's Intl. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
