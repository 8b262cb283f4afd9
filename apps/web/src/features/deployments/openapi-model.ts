/**
 * A read model of an OpenAPI 3.1 document for the API reference page: operations in document order, schemas
 * flattened into rows (`customer.email`), `$ref`s resolved within the document, and example bodies.
 */
type Json = Record<string, unknown>;

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"] as const;

export interface SchemaRow {
  /** Dotted path, `[]` for array items ("items[].sku"). */
  name: string;
  type: string;
  required: boolean;
  description: string;
}

export interface ParameterModel {
  name: string;
  in: string;
  required: boolean;
  type: string;
  description: string;
}

export interface ResponseModel {
  status: string;
  description: string;
  mediaType: string | null;
  rows: SchemaRow[];
}

export interface OperationModel {
  id: string;
  method: string;
  path: string;
  summary: string;
  description: string;
  tags: string[];
  parameters: ParameterModel[];
  requestBody: { mediaType: string; rows: SchemaRow[]; example: unknown } | null;
  responses: ResponseModel[];
}

export interface SecurityModel {
  name: string;
  description: string;
}

export interface ApiReferenceModel {
  title: string;
  description: string;
  serverUrl: string;
  security: SecurityModel[];
  operations: OperationModel[];
}

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === "object" && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === "string" ? value : "");

/** Follows local `$ref`s (`#/components/schemas/X`) until a non-reference; a loop or dead end gives {}. */
export function resolveRef(doc: Json, value: unknown, seen = new Set<string>()): Json {
  if (!isObject(value)) return {};
  const ref = value.$ref;
  if (typeof ref !== "string") return value;
  if (!ref.startsWith("#/") || seen.has(ref)) return {};
  seen.add(ref);
  let target: unknown = doc;
  for (const part of ref.slice(2).split("/")) {
    const key = part.replace(/~1/g, "/").replace(/~0/g, "~");
    target = isObject(target) ? target[key] : undefined;
  }
  return resolveRef(doc, target, seen);
}

/** "string", "integer | null", "array of string", "one of: A | B", "enum: a, b". */
export function typeLabel(doc: Json, raw: unknown): string {
  const schema = resolveRef(doc, raw);
  if (Array.isArray(schema.enum))
    return `enum: ${schema.enum.map((v) => JSON.stringify(v)).join(", ")}`;
  if ("const" in schema) return `const ${JSON.stringify(schema.const)}`;
  for (const key of ["oneOf", "anyOf"] as const) {
    const options = schema[key];
    if (Array.isArray(options)) return options.map((option) => typeLabel(doc, option)).join(" | ");
  }
  const type = Array.isArray(schema.type) ? schema.type.map(String).join(" | ") : text(schema.type);
  if (type === "array") return `array of ${typeLabel(doc, schema.items)}`;
  const format = text(schema.format);
  if (type) return format ? `${type} (${format})` : type;
  if (isObject(schema.properties)) return "object";
  return "any";
}

const MAX_DEPTH = 6;

/** One row per property, nested objects and array items expanded (to a depth of 6). */
export function schemaRows(doc: Json, raw: unknown, prefix = "", depth = 0): SchemaRow[] {
  const schema = resolveRef(doc, raw);
  if (depth > MAX_DEPTH) return [];
  if (
    text(schema.type) === "array" ||
    (Array.isArray(schema.type) && schema.type.includes("array"))
  ) {
    const items = resolveRef(doc, schema.items);
    return isObject(items.properties) ? schemaRows(doc, items, `${prefix}[].`, depth + 1) : [];
  }
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required.map(String) : [];
  return Object.entries(properties).flatMap(([key, value]) => {
    const property = resolveRef(doc, value);
    const name = `${prefix}${key}`;
    const row: SchemaRow = {
      name,
      type: typeLabel(doc, value),
      required: required.includes(key),
      description: text(property.description) || text(property.title),
    };
    const nested =
      isObject(property.properties) || isObject(resolveRef(doc, property.items).properties)
        ? schemaRows(doc, property, `${name}.`, depth + 1)
        : [];
    return [row, ...nested];
  });
}

/** A plausible value for a schema: its example/default/first enum value, else a placeholder of its type. */
export function exampleFromSchema(doc: Json, raw: unknown, depth = 0): unknown {
  const schema = resolveRef(doc, raw);
  if (depth > MAX_DEPTH) return null;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if ("example" in schema) return schema.example;
  if ("default" in schema) return schema.default;
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  for (const key of ["oneOf", "anyOf"] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0)
      return exampleFromSchema(doc, options[0], depth + 1);
  }
  const types = Array.isArray(schema.type) ? schema.type.map(String) : [text(schema.type)];
  const type = types.find((t) => t !== "null") ?? "";
  if (type === "string")
    return text(schema.format) === "date-time" ? "2026-01-01T00:00:00Z" : "string";
  if (type === "integer" || type === "number") return 0;
  if (type === "boolean") return true;
  if (type === "array") return [exampleFromSchema(doc, schema.items, depth + 1)];
  if (type === "object" || isObject(schema.properties)) {
    const properties = isObject(schema.properties) ? schema.properties : {};
    return Object.fromEntries(
      Object.entries(properties).map(([key, value]) => [
        key,
        exampleFromSchema(doc, value, depth + 1),
      ]),
    );
  }
  return {};
}

function firstMedia(doc: Json, content: unknown): { mediaType: string; schema: unknown } | null {
  const resolved = resolveRef(doc, content);
  const [entry] = Object.entries(resolved);
  if (!entry) return null;
  const [mediaType, media] = entry;
  return { mediaType, schema: isObject(media) ? media.schema : undefined };
}

function operationModel(doc: Json, path: string, method: string, raw: Json): OperationModel {
  const parameters = (Array.isArray(raw.parameters) ? raw.parameters : []).map((value) => {
    const parameter = resolveRef(doc, value);
    return {
      name: text(parameter.name),
      in: text(parameter.in),
      required: parameter.required === true,
      type: typeLabel(doc, parameter.schema),
      description: text(parameter.description),
    };
  });
  const body = resolveRef(doc, raw.requestBody);
  const bodyMedia = firstMedia(doc, body.content);
  const responses = Object.entries(isObject(raw.responses) ? raw.responses : {}).map(
    ([status, value]) => {
      const response = resolveRef(doc, value);
      const media = firstMedia(doc, response.content);
      return {
        status,
        description: text(response.description),
        mediaType: media?.mediaType ?? null,
        rows: media ? schemaRows(doc, media.schema) : [],
      };
    },
  );
  return {
    id: text(raw.operationId) || `${method}-${path}`,
    method: method.toUpperCase(),
    path,
    summary: text(raw.summary),
    description: text(raw.description),
    tags: Array.isArray(raw.tags) ? raw.tags.map(String) : [],
    parameters,
    requestBody: bodyMedia
      ? {
          mediaType: bodyMedia.mediaType,
          rows: schemaRows(doc, bodyMedia.schema),
          example: exampleFromSchema(doc, bodyMedia.schema),
        }
      : null,
    responses,
  };
}

export function apiReferenceModel(doc: Json): ApiReferenceModel {
  const info = isObject(doc.info) ? doc.info : {};
  const servers = Array.isArray(doc.servers) ? doc.servers : [];
  const components = isObject(doc.components) ? doc.components : {};
  const schemes = isObject(components.securitySchemes) ? components.securitySchemes : {};
  const paths = isObject(doc.paths) ? doc.paths : {};
  return {
    title: text(info.title),
    description: text(info.description),
    serverUrl: isObject(servers[0]) ? text(servers[0].url) : "",
    security: Object.entries(schemes).map(([name, value]) => {
      const scheme = resolveRef(doc, value);
      const kind =
        scheme.type === "http" ? `HTTP ${text(scheme.scheme)}` : text(scheme.type) || "unknown";
      return { name, description: [kind, text(scheme.description)].filter(Boolean).join(": ") };
    }),
    operations: Object.entries(paths).flatMap(([path, item]) =>
      isObject(item)
        ? METHODS.filter((method) => isObject(item[method])).map((method) =>
            operationModel(doc, path, method, item[method] as Json),
          )
        : [],
    ),
  };
}

/** The operation that runs a deployed flow, found by its path. */
export function flowOperation(
  model: ApiReferenceModel,
  endpoint: string,
): OperationModel | undefined {
  return model.operations.find(
    (operation) => operation.path === endpoint && operation.method === "POST",
  );
}
