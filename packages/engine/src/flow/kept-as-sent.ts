import { z } from "zod";

/**
 * `schema`'s checks, with the value as sent as the result. zod rebuilds records and silently drops `__proto__` keys
 * from the copy, so a flow's node config or variables holding such a key (data, docs/expressions.md "Data is data")
 * lost it on save. Only for schemas without defaults or transforms, whose output equals their input. Errors keep
 * their paths. `jsonSchema` describes the value in the published JSON Schema (zod cannot see through the check).
 */
export function keptAsSent<T extends z.ZodType>(
  schema: T,
  jsonSchema: Record<string, unknown>,
): z.ZodType<z.output<T>, z.input<T>> {
  const checked = z
    .unknown()
    .check((ctx) => {
      const result = schema.safeParse(ctx.value);
      // Finished issues (message and relative path set) are valid raw issues; the parent prefixes the path.
      if (!result.success) ctx.issues.push(...(result.error.issues as z.core.$ZodRawIssue[]));
    })
    .meta(jsonSchema);
  return checked as unknown as z.ZodType<z.output<T>, z.input<T>>;
}
