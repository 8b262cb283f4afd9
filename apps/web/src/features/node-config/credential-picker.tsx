"use client";

import type { FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Plus } from "lucide-react";
import { useState } from "react";

import type { RouterOutputs } from "@runnel/api";
import {
  Alert,
  Button,
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  FormField,
  Input,
  Label,
  Select,
  SelectContent,
  SelectItem,
  SelectTrigger,
  SelectValue,
} from "@runnel/ui";

import { CredentialFields } from "~/app/(app)/credentials/credential-fields";
import { TestConnection } from "~/app/(app)/credentials/test-connection";
import { formText } from "~/lib/form";
import { collectData, schemaFields } from "~/lib/schema-fields";
import { fieldErrorsOf, formErrorOf } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";

const NONE = "__none__";

export interface CredentialPickerProps {
  id: string;
  label: string;
  /** Credential types the slot accepts, e.g. ["httpBearer"] or the model providers' types. */
  credentialTypes: readonly string[];
  value: string | undefined;
  onValueChange: (id: string | undefined) => void;
  required: boolean;
  disabled?: boolean;
  "aria-invalid"?: boolean;
  "aria-describedby"?: string;
}

/**
 * Chooses a credential of the accepted types by id (credentials are never chosen by expression), or creates one in a dialog
 * and selects it. Secret values are write-only: the dialog sends them once and never shows them again.
 */
export function CredentialPicker({
  id,
  label,
  credentialTypes,
  value,
  onValueChange,
  required,
  disabled,
  ...aria
}: CredentialPickerProps) {
  const trpc = useTRPC();
  const list = useQuery(trpc.credentials.list.queryOptions());
  const types = useQuery(trpc.credentials.types.queryOptions());
  const creatable = (types.data ?? []).filter((t) => credentialTypes.includes(t.type));
  const options = (list.data ?? []).filter((c) => credentialTypes.includes(c.type));
  const missing =
    value !== undefined && list.data !== undefined && !options.some((c) => c.id === value);
  const selected = options.find((c) => c.id === value);
  const testable =
    selected !== undefined &&
    types.data?.find((t) => t.type === selected.type)?.modelProvider === true;

  return (
    <div className="flex flex-col gap-1.5">
      <div className="flex gap-2">
        <Select
          value={value ?? NONE}
          onValueChange={(next) => onValueChange(next === NONE ? undefined : next)}
          disabled={disabled}
        >
          <SelectTrigger id={id} className="flex-1" {...aria}>
            <SelectValue placeholder={list.isPending ? "Loading credentials…" : "Choose…"} />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value={NONE}>{required ? "Choose a credential…" : "None"}</SelectItem>
            {options.map((credential) => (
              <SelectItem key={credential.id} value={credential.id}>
                {credential.name}
              </SelectItem>
            ))}
            {missing ? <SelectItem value={value}>Missing credential ({value})</SelectItem> : null}
          </SelectContent>
        </Select>
        {creatable.length > 0 && !disabled ? (
          <NewCredentialDialog
            types={creatable}
            slotLabel={label}
            onCreated={(created) => onValueChange(created)}
          />
        ) : null}
      </div>
      {testable && !disabled ? (
        <TestConnection key={selected.id} credentialId={selected.id} name={selected.name} />
      ) : null}
      {list.error ? <p className="text-sm text-danger">{list.error.message}</p> : null}
      {types.data && creatable.length === 0 ? (
        <p className="text-xs text-fg-muted">
          No credential type “{credentialTypes.join("”, “")}” can be created here yet.
        </p>
      ) : null}
    </div>
  );
}

type CredentialType = RouterOutputs["credentials"]["types"][number];

function NewCredentialDialog({
  types,
  slotLabel,
  onCreated,
}: {
  types: readonly CredentialType[];
  slotLabel: string;
  onCreated: (id: string) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [chosen, setChosen] = useState<string | undefined>(types[0]?.type);
  const type = types.find((t) => t.type === chosen) ?? types[0];
  const fields = schemaFields(type?.schema ?? {});
  const create = useMutation(
    trpc.credentials.create.mutationOptions({
      onSuccess: async (row) => {
        await queryClient.invalidateQueries({ queryKey: trpc.credentials.list.queryKey() });
        onCreated(row.id);
        setOpen(false);
        create.reset();
      },
    }),
  );
  const fieldErrors = fieldErrorsOf(create.error);
  const formError = formErrorOf(create.error);
  if (type === undefined) return null;

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    // The picker may sit inside another form (the editor's): keep this submit to ourselves.
    event.stopPropagation();
    const form = new FormData(event.currentTarget);
    create.mutate({
      type: type.type,
      name: formText(form, "name"),
      data: collectData(form, fields),
    });
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) create.reset();
      }}
    >
      <Button
        variant="secondary"
        onClick={() => setOpen(true)}
        aria-label={`New credential for ${slotLabel}`}
      >
        <Plus aria-hidden="true" />
        New
      </Button>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>
            New {types.length === 1 ? type.label : "model provider"} credential
          </DialogTitle>
          <DialogDescription>
            The secret values are encrypted and never shown again. The new credential is selected
            for {slotLabel}.
          </DialogDescription>
        </DialogHeader>
        <form noValidate onSubmit={onSubmit} className="flex flex-col gap-4">
          {formError ? <Alert variant="danger">{formError}</Alert> : null}
          {types.length > 1 ? (
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="new-credential-type">Provider</Label>
              <Select
                value={type.type}
                onValueChange={(next) => {
                  setChosen(next);
                  create.reset();
                }}
              >
                <SelectTrigger id="new-credential-type">
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  {types.map((option) => (
                    <SelectItem key={option.type} value={option.type}>
                      {option.label}
                    </SelectItem>
                  ))}
                </SelectContent>
              </Select>
            </div>
          ) : null}
          <FormField id="new-credential-name" label="Name" error={fieldErrors.name}>
            <Input name="name" autoComplete="off" />
          </FormField>
          <CredentialFields
            fields={fields}
            errors={fieldErrors}
            idPrefix="new-credential"
            keepExisting={false}
          />
          <DialogFooter>
            <Button type="submit" disabled={create.isPending}>
              {create.isPending ? "Saving…" : "Create and select"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
