"use client";

import type { FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Check, X } from "lucide-react";
import { useMemo, useState } from "react";

import {
  Alert,
  Button,
  FormField,
  Input,
  Select,
  SelectContent,
  SelectItem,
  SelectTrigger,
  SelectValue,
  Textarea,
} from "@runnel/ui";

import type { ApprovalFormField } from "./form-schema";
import { formText } from "~/lib/form";
import { fieldErrorsOf, formErrorOf } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import { approvalFormFields, collectApprovalForm } from "./form-schema";

/** The control for one form field; FormField's Slot passes id and aria attributes through `control`. */
function FormInput({
  field,
  ...control
}: {
  field: ApprovalFormField;
  id?: string;
  "aria-invalid"?: boolean;
  "aria-describedby"?: string;
}) {
  const name = `form.${field.name}`;
  if (field.kind === "boolean") {
    return (
      <input
        {...control}
        name={name}
        type="checkbox"
        className="size-4 accent-[var(--color-primary)]"
      />
    );
  }
  if (field.kind === "enum") {
    return (
      <Select name={name}>
        <SelectTrigger {...control}>
          <SelectValue placeholder="Choose…" />
        </SelectTrigger>
        <SelectContent>
          {field.options.map((option) => (
            <SelectItem key={option} value={option}>
              {option}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
    );
  }
  if (field.kind === "json")
    return <Textarea {...control} name={name} className="font-mono" rows={3} />;
  return (
    <Input
      {...control}
      name={name}
      inputMode={field.kind === "string" ? undefined : "decimal"}
      autoComplete="off"
    />
  );
}

/** Approve or reject one pending approval, with a comment and the approval's form (answers checked on approve). */
export function DecisionForm({
  approvalId,
  formSchema,
}: {
  approvalId: string;
  formSchema: Record<string, unknown> | null;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const fields = useMemo(() => approvalFormFields(formSchema), [formSchema]);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const decide = useMutation(
    trpc.approvals.decide.mutationOptions({
      onSuccess: () =>
        Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.approvals.pending.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.approvals.decided.queryKey() }),
        ]),
    }),
  );
  const serverErrors = fieldErrorsOf(decide.error);
  const formError = formErrorOf(decide.error);
  const prefix = `approval-${approvalId}`;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    const decision = submitter?.getAttribute("value") === "reject" ? "reject" : "approve";
    const data = new FormData(event.currentTarget);
    const comment = formText(data, "comment");
    let formData: Record<string, unknown> | undefined;
    if (decision === "approve" && fields.length > 0) {
      const collected = collectApprovalForm(data, fields);
      if (!collected.ok) {
        setLocalErrors(collected.errors);
        return;
      }
      formData = collected.data;
    }
    setLocalErrors({});
    decide.mutate({
      id: approvalId,
      decision,
      ...(comment.trim() ? { comment: comment.trim() } : {}),
      ...(formData ? { formData } : {}),
    });
  }

  return (
    <form noValidate onSubmit={onSubmit} className="flex flex-col gap-4">
      {formError ? <Alert variant="danger">{formError}</Alert> : null}
      {serverErrors.formData ? (
        <Alert variant="danger">Form answers: {serverErrors.formData.join("; ")}</Alert>
      ) : null}
      {fields.length > 0 ? (
        <fieldset className="flex flex-col gap-3">
          <legend className="mb-1 text-sm font-medium">Form (filled in when approving)</legend>
          {fields.map((field) => (
            <FormField
              key={field.name}
              id={`${prefix}-${field.name}`}
              label={field.required ? field.label : `${field.label} (optional)`}
              hint={field.kind === "json" ? "JSON" : field.description}
              error={localErrors[field.name]}
            >
              <FormInput field={field} />
            </FormField>
          ))}
        </fieldset>
      ) : null}
      <FormField id={`${prefix}-comment`} label="Comment (optional)" error={serverErrors.comment}>
        <Textarea name="comment" rows={2} />
      </FormField>
      <div className="flex gap-2">
        <Button type="submit" name="decision" value="approve" disabled={decide.isPending}>
          <Check aria-hidden="true" />
          Approve
        </Button>
        <Button
          type="submit"
          name="decision"
          value="reject"
          variant="secondary"
          disabled={decide.isPending}
        >
          <X aria-hidden="true" />
          Reject
        </Button>
      </div>
    </form>
  );
}
