import { humanize } from "../../lib/schema-fields";

/**
 * A config form as a tree of fields, built from the JSON Schema `z.toJSONSchema` emits for a node's config.
 * Every shape the catalogue uses maps to one kind; anything else falls back to a JSON editor, so no config
 * value is ever unreachable from the form.
 */
export type FieldModel =
  | { kind: "text"; multiline: boolean; code: boolean; format: string | undefined }
  | { kind: "number"; integer: boolean; minimum: number | undefined; maximum: number | undefined }
  | { kind: "boolean" }
  | { kind: "enum"; options: string[] }
  | { kind: "multi-enum"; options: string[] }
  | { kind: "list"; item: Field; minItems: number }
  /** An object with free keys and values of one shape (HTTP headers, query parameters). */
  | { kind: "record"; value: Field }
  /** Any JSON value, or an object whose shape the schema leaves open (a JSON Schema document). */
  | { kind: "json" }
  | { kind: "object"; fields: Field[] }
  /** A discriminated union: one variant per value of the `discriminator` property. */
  | { kind: "union"; discriminator: string; variants: UnionVariant[] }
  | { kind: "credential"; credentialTypes: readonly string[] }
  /**
   * Text with suggested values fetched for the form (the `ui` hint of @runnel/nodes' `fieldUi`): `models` lists the
   * model ids of the credential held by the sibling field `dependsOn`, `mcpTools` the tools of the MCP server
   * described by the sibling object `dependsOn`. Any other text is accepted too.
   */
  | { kind: "options"; source: OptionSource; dependsOn: string | undefined };

/** The option sources the form can fetch (FIELD_OPTION_SOURCES of @runnel/nodes). */
export const OPTION_SOURCES = ["models", "mcpTools"] as const;
export type OptionSource = (typeof OPTION_SOURCES)[number];

export interface UnionVariant {
  value: string;
  label: string;
  /** The variant's fields, without the discriminator. */
  fields: Field[];
}

export type Field = FieldModel & {
  /** Property name ("" for the root and for list items). */
  name: string;
  label: string;
  description: string | undefined;
  required: boolean;
  defaultValue: unknown;
  /** False for literal config keys (the Code node's code) and credential ids: `{{ }}` is not evaluated there. */
  expressions: boolean;
};

export interface ConfigModelOptions {
  /** Top-level keys that hold credential ids, with the credential type they need. */
  credentials?: readonly { key: string; type: string | readonly string[] }[];
  /** Top-level keys whose value is passed literally (no expressions). */
  literal?: readonly string[];
}

type Schema = Record<string, unknown>;

const ACRONYMS: Record<string, string> = { json: "JSON", html: "HTML", xml: "XML" };

const UNITS: [RegExp, string][] = [
  [/(.)Ms$/, "ms"],
  [/(.)Mb$/, "MB"],
];

/**
 * A field or choice name as a label: `humanize`, with a few more acronyms (`json` → "JSON") and units
 * (`timeoutMs` → "Timeout (ms)").
 */
export function labelFor(name: string): string {
  for (const [pattern, unit] of UNITS) {
    if (pattern.test(name)) return `${labelFor(name.slice(0, -2))} (${unit})`;
  }
  return ACRONYMS[name.toLowerCase()] ?? humanize(name);
}

const MULTILINE_NAMES = new Set(["code", "prompt", "system", "message", "text"]);
const LONG_TEXT = 500;

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function schemas(value: unknown): Schema[] {
  return Array.isArray(value) ? value.filter(isSchema) : [];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function num(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

/** Follows a local `$ref` (`#/$defs/name`); other references are left as they are. */
function resolve(schema: Schema, root: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== "string" || !ref.startsWith("#/")) return schema;
  let target: unknown = root;
  for (const part of ref.slice(2).split("/")) target = isSchema(target) ? target[part] : undefined;
  if (!isSchema(target)) return schema;
  const rest = { ...schema };
  delete rest.$ref;
  return { ...target, ...rest };
}

/** The property every variant fixes with a distinct `const` string, e.g. `type` of the HTTP body. */
function discriminatorOf(variants: Schema[]): string | undefined {
  const first = variants[0];
  if (!first || !isSchema(first.properties)) return undefined;
  return Object.keys(first.properties).find((key) => {
    const values = variants.map((variant) => {
      const property = isSchema(variant.properties) ? variant.properties[key] : undefined;
      return isSchema(property) ? property.const : undefined;
    });
    return values.every((v) => typeof v === "string") && new Set(values).size === values.length;
  });
}

/** The `ui` hint of a field (`fieldUi` in @runnel/nodes) as an options field, when it names a known source. */
function optionsHint(ui: unknown): Extract<FieldModel, { kind: "options" }> | undefined {
  if (!isSchema(ui)) return undefined;
  const source = OPTION_SOURCES.find((known) => known === ui.options);
  if (source === undefined) return undefined;
  return {
    kind: "options",
    source,
    dependsOn: typeof ui.dependsOn === "string" ? ui.dependsOn : undefined,
  };
}

interface Context {
  root: Schema;
  options: ConfigModelOptions;
  depth: number;
}

function fieldsOf(schema: Schema, ctx: Context, skip?: string): Field[] {
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const required = strings(schema.required);
  return Object.entries(properties)
    .filter(([name]) => name !== skip)
    .filter((entry): entry is [string, Schema] => isSchema(entry[1]))
    .map(([name, property]) => buildField(name, property, required.includes(name), ctx));
}

function modelOf(name: string, raw: Schema, ctx: Context): FieldModel {
  const schema = resolve(raw, ctx.root);
  const next: Context = { ...ctx, depth: ctx.depth + 1 };
  // Recursive definitions (any JSON value) end in a JSON editor rather than an endless form.
  if (ctx.depth > 8) return { kind: "json" };
  const union = schemas(schema.oneOf ?? schema.anyOf).map((variant) => resolve(variant, ctx.root));
  if (union.length > 0) {
    const discriminator = discriminatorOf(union);
    if (discriminator === undefined) return { kind: "json" };
    return {
      kind: "union",
      discriminator,
      variants: union.map((variant) => {
        const properties = isSchema(variant.properties) ? variant.properties : {};
        const tag = properties[discriminator];
        const value = isSchema(tag) && typeof tag.const === "string" ? tag.const : "";
        return { value, label: labelFor(value), fields: fieldsOf(variant, next, discriminator) };
      }),
    };
  }
  const type = schema.type;
  const options = strings(schema.enum);
  if (type === "string" && options.length > 0) return { kind: "enum", options };
  const hinted = optionsHint(schema.ui);
  if (type === "string" && hinted) return hinted;
  if (type === "string") {
    const format = typeof schema.format === "string" ? schema.format : undefined;
    const long = (num(schema.maxLength) ?? 0) > LONG_TEXT;
    return {
      kind: "text",
      multiline: MULTILINE_NAMES.has(name) || long,
      code: name === "code",
      format,
    };
  }
  if (type === "integer" || type === "number") {
    const exclusive = num(schema.exclusiveMinimum);
    return {
      kind: "number",
      integer: type === "integer",
      minimum: num(schema.minimum) ?? (exclusive === undefined ? undefined : exclusive + 1),
      maximum: num(schema.maximum),
    };
  }
  if (type === "boolean") return { kind: "boolean" };
  if (type === "array") {
    const items = isSchema(schema.items) ? resolve(schema.items, ctx.root) : {};
    const itemOptions = strings(items.enum);
    if (items.type === "string" && itemOptions.length > 0)
      return { kind: "multi-enum", options: itemOptions };
    return {
      kind: "list",
      item: buildField("", items, true, next),
      minItems: num(schema.minItems) ?? 0,
    };
  }
  if (type === "object") {
    if (isSchema(schema.properties)) return { kind: "object", fields: fieldsOf(schema, next) };
    const values = isSchema(schema.additionalProperties)
      ? resolve(schema.additionalProperties, ctx.root)
      : undefined;
    if (values && values.type === "string")
      return { kind: "record", value: buildField("", values, true, next) };
  }
  return { kind: "json" };
}

function buildField(name: string, schema: Schema, required: boolean, ctx: Context): Field {
  const resolved = resolve(schema, ctx.root);
  const slot = ctx.depth === 0 ? ctx.options.credentials?.find((c) => c.key === name) : undefined;
  const model: FieldModel = slot
    ? {
        kind: "credential",
        credentialTypes: typeof slot.type === "string" ? [slot.type] : slot.type,
      }
    : modelOf(name, schema, ctx);
  const literal = ctx.depth === 0 && (ctx.options.literal ?? []).includes(name);
  return {
    ...model,
    name,
    label: typeof resolved.title === "string" ? resolved.title : name ? labelFor(name) : "Item",
    description: typeof resolved.description === "string" ? resolved.description : undefined,
    required,
    defaultValue: resolved.default,
    expressions: !literal && model.kind !== "credential",
  };
}

/** The form of a node's config: an object (or a union, e.g. the Wait node's modes) of fields. */
export function configModel(schema: unknown, options: ConfigModelOptions = {}): Field {
  const root = isSchema(schema) ? schema : {};
  const ctx: Context = { root, options, depth: 0 };
  const fields = fieldsOf(root, ctx);
  const base = {
    name: "",
    label: "Config",
    description: undefined,
    required: true,
    defaultValue: undefined,
    expressions: false,
  };
  if (fields.length === 0 && (root.oneOf ?? root.anyOf)) {
    const model = modelOf("", root, { ...ctx, depth: 1 });
    if (model.kind === "union") return { ...model, ...base };
  }
  return { kind: "object", fields, ...base };
}

/** An empty value for a new list item or variant field of this model. */
export function emptyValue(field: Field): unknown {
  if (field.defaultValue !== undefined) return structuredClone(field.defaultValue);
  switch (field.kind) {
    case "text":
    case "credential":
    case "options":
      return "";
    case "enum":
      return field.options[0] ?? "";
    case "number":
      return field.minimum ?? 0;
    case "boolean":
      return false;
    case "list":
    case "multi-enum":
      return [];
    case "record":
      return {};
    case "object":
      return Object.fromEntries(
        field.fields.filter((f) => f.required).map((f) => [f.name, emptyValue(f)]),
      );
    case "union": {
      const first = field.variants[0];
      return first ? variantValue(field, first.value) : {};
    }
    case "json":
      return "";
  }
}

/** The value of a union switched to `variant`: the discriminator plus the variant's required fields. */
export function variantValue(
  field: Extract<FieldModel, { kind: "union" }>,
  variant: string,
): Record<string, unknown> {
  const chosen = field.variants.find((v) => v.value === variant);
  const required = (chosen?.fields ?? [])
    .filter((f) => f.required)
    .map((f) => [f.name, emptyValue(f)] as const);
  return { [field.discriminator]: variant, ...Object.fromEntries(required) };
}
