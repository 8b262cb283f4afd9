"use client";

import {
  FormField,
  Input,
  Select,
  SelectContent,
  SelectItem,
  SelectTrigger,
  SelectValue,
} from "@runnel/ui";

import type { SchemaField } from "~/lib/schema-fields";
import type { FieldErrors } from "~/trpc/errors";

/**
 * Inputs generated from a credential type's JSON Schema, named `data.<field>`. Values are never
 * pre-filled: secrets are write-only.
 */
export function CredentialFields({
  fields,
  errors,
  idPrefix,
  keepExisting,
}: {
  fields: SchemaField[];
  errors: FieldErrors;
  idPrefix: string;
  /** Editing: blank fields keep what is stored, so nothing is required. */
  keepExisting: boolean;
}) {
  return (
    <fieldset className="flex flex-col gap-4">
      <legend className="mb-2 text-sm font-medium">Secret values</legend>
      {fields.map((field) => {
        const id = `${idPrefix}-${field.name}`;
        const name = `data.${field.name}`;
        const hint = keepExisting
          ? "Stored and hidden. Type a new value to replace it."
          : field.description;
        const label = field.required && !keepExisting ? field.label : `${field.label} (optional)`;
        return (
          <FormField
            key={field.name}
            id={id}
            label={label}
            hint={hint}
            error={errors[name] ?? errors[field.name]}
          >
            {field.options ? (
              <SelectField name={name} options={field.options} />
            ) : (
              <Input
                name={name}
                type={field.inputType}
                autoComplete="off"
                placeholder={keepExisting ? "••••••••" : undefined}
              />
            )}
          </FormField>
        );
      })}
    </fieldset>
  );
}

function SelectField({ name, options, ...rest }: { name: string; options: string[] }) {
  return (
    <Select name={name}>
      <SelectTrigger {...rest}>
        <SelectValue placeholder="Choose…" />
      </SelectTrigger>
      <SelectContent>
        {options.map((option) => (
          <SelectItem key={option} value={option}>
            {option}
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  );
}
