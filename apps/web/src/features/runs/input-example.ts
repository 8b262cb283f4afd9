/**
 * A starting value for a test run's input, made from the manual trigger's JSON Schema: the schema's own example or
 * default where it has one, otherwise a placeholder of the right type for every property.
 */
type Schema = Record<string, unknown>;

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const MAX_DEPTH = 6;

export function exampleFromSchema(schema: unknown, depth = 0): unknown {
  if (!isSchema(schema) || depth > MAX_DEPTH) return null;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if ("example" in schema) return schema.example;
  if ("default" in schema) return schema.default;
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  for (const key of ["oneOf", "anyOf"] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0)
      return exampleFromSchema(options[0], depth + 1);
  }
  const type = Array.isArray(schema.type)
    ? (schema.type.find((t) => t !== "null") as unknown)
    : schema.type;
  switch (type) {
    case "object": {
      const properties = isSchema(schema.properties) ? schema.properties : {};
      return Object.fromEntries(
        Object.entries(properties).map(([name, property]) => [
          name,
          exampleFromSchema(property, depth + 1),
        ]),
      );
    }
    case "array":
      return schema.items === undefined ? [] : [exampleFromSchema(schema.items, depth + 1)];
    case "string":
      return schema.format === "email"
        ? "someone@example.com"
        : schema.format === "uri"
          ? "https://example.com"
          : "";
    case "integer":
    case "number":
      return typeof schema.minimum === "number" ? schema.minimum : 0;
    case "boolean":
      return false;
    case "null":
      return null;
    default:
      return isSchema(schema.properties)
        ? exampleFromSchema({ ...schema, type: "object" }, depth)
        : {};
  }
}

/** Parses the test input, with an error that says where the JSON breaks. */
export function parseTestInput(
  text: string,
): { ok: true; value: unknown } | { ok: false; error: string } {
  if (text.trim() === "") return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, error: `The input is not valid JSON: ${detail}` };
  }
}
