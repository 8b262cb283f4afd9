import { z } from "zod";

import { humanize } from "../../lib/schema-fields";

const Property = z.looseObject({
  type: z.unknown().optional(),
  title: z.string().optional(),
  description: z.string().optional(),
  enum: z.array(z.unknown()).optional(),
  default: z.unknown().optional(),
});
const ObjectSchema = z.looseObject({
  properties: z.record(z.string(), Property).default({}),
  required: z.array(z.string()).default([]),
});

export type FormFieldKind = "string" | "number" | "integer" | "boolean" | "enum" | "json";

export interface ApprovalFormField {
  name: string;
  label: string;
  description: string | undefined;
  required: boolean;
  kind: FormFieldKind;
  options: string[];
}

function kindOf(property: z.infer<typeof Property>): FormFieldKind {
  if (property.enum?.every((value) => typeof value === "string")) return "enum";
  const type = Array.isArray(property.type)
    ? (property.type as unknown[]).find((t) => t !== "null")
    : property.type;
  if (type === "string" || type === "number" || type === "integer" || type === "boolean")
    return type;
  return "json";
}

/** One field per property of an approval's object form schema; anything but scalars is typed as JSON. */
export function approvalFormFields(schema: unknown): ApprovalFormField[] {
  const parsed = ObjectSchema.safeParse(schema);
  if (!parsed.success) return [];
  return Object.entries(parsed.data.properties).map(([name, property]) => ({
    name,
    label: property.title ?? humanize(name),
    description: property.description,
    required: parsed.data.required.includes(name),
    kind: kindOf(property),
    options: property.enum?.filter((v): v is string => typeof v === "string") ?? [],
  }));
}

export type CollectedForm =
  { ok: true; data: Record<string, unknown> } | { ok: false; errors: Record<string, string> };

/**
 * Reads `form.<name>` inputs into typed answers (numbers parsed, checkboxes as booleans, JSON parsed). Blank
 * optional fields are left out; the server checks the answers against the full schema.
 */
export function collectApprovalForm(form: FormData, fields: ApprovalFormField[]): CollectedForm {
  const data: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const raw = form.get(`form.${field.name}`);
    if (field.kind === "boolean") {
      data[field.name] = raw === "on";
      continue;
    }
    const text = typeof raw === "string" ? raw.trim() : "";
    if (text === "") {
      if (field.required) errors[field.name] = `${field.label} is required`;
      continue;
    }
    if (field.kind === "number" || field.kind === "integer") {
      const value = Number(text);
      if (!Number.isFinite(value) || (field.kind === "integer" && !Number.isInteger(value))) {
        errors[field.name] =
          `${field.label} must be ${field.kind === "integer" ? "a whole number" : "a number"}`;
      } else data[field.name] = value;
    } else if (field.kind === "json") {
      try {
        data[field.name] = JSON.parse(text) as unknown;
      } catch {
        errors[field.name] = `${field.label} must be valid JSON`;
      }
    } else data[field.name] = text;
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, data };
}
