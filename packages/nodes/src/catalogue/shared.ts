import { z } from "zod";

import type { JsonSchema } from "../define";

/** Any JSON value (config fields whose value an expression usually supplies). */
export const JsonData = z.json();

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

const FORBIDDEN_SEGMENTS = new Set(["__proto__", "constructor", "prototype"]);

/** A dot path of field names (`customer.address.city`); segments that reach prototypes are refused. */
export const FieldPath = z
  .string()
  .min(1)
  .regex(
    /^[A-Za-z_$][\w$-]*(\.[A-Za-z_$][\w$-]*)*$/,
    "a field path is names joined by dots, e.g. customer.name",
  )
  .refine((path) => path.split(".").every((segment) => !FORBIDDEN_SEGMENTS.has(segment)), {
    message: "__proto__, constructor and prototype are not allowed as field names",
  });

/** True when an IANA time zone name is known to this runtime's Intl. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
