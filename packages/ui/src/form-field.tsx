import type { ReactElement, ReactNode } from "react";
import { Slot } from "radix-ui";

import { cn } from "./cn";
import { Label } from "./label";

export interface FormFieldProps {
  /** The control's id; the label points at it and the error/hint ids derive from it. */
  id: string;
  label: ReactNode;
  /** A message about the current value (e.g. a zod field error); marks the control invalid. */
  error?: string | readonly string[] | undefined;
  hint?: ReactNode;
  className?: string;
  /** Exactly one control element (Input, SelectTrigger, Textarea...). */
  children: ReactElement;
}

export function fieldErrorId(id: string): string {
  return `${id}-error`;
}

/**
 * Label + control + hint + field error. The control receives `id`, `aria-invalid` and
 * `aria-describedby` so screen readers read the error with the field.
 */
export function FormField({ id, label, error, hint, className, children }: FormFieldProps) {
  const message = typeof error === "string" ? error : error?.join(" ");
  const hintId = `${id}-hint`;
  const describedBy = [hint ? hintId : null, message ? fieldErrorId(id) : null]
    .filter((part): part is string => part !== null)
    .join(" ");
  return (
    <div className={cn("flex flex-col gap-1.5", className)}>
      <Label htmlFor={id}>{label}</Label>
      <Slot.Root
        id={id}
        aria-invalid={message ? true : undefined}
        aria-describedby={describedBy || undefined}
      >
        {children}
      </Slot.Root>
      {hint ? (
        <p id={hintId} className="text-xs text-fg-muted">
          {hint}
        </p>
      ) : null}
      {message ? (
        <p id={fieldErrorId(id)} className="text-sm text-danger">
          {message}
        </p>
      ) : null}
    </div>
  );
}
