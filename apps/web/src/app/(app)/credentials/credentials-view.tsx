"use client";

import type { FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Lock, Pencil, Plus, Trash2 } from "lucide-react";
import { useState } from "react";

import type { RouterOutputs } from "@runnel/api";
import {
  Alert,
  Badge,
  Button,
  Card,
  CardContent,
  CardDescription,
  CardHeader,
  CardTitle,
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  EmptyState,
  FormField,
  Input,
  Label,
  Select,
  SelectContent,
  SelectItem,
  SelectTrigger,
  SelectValue,
  Table,
  TableBody,
  TableCaption,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@runnel/ui";

import { ConfirmButton } from "~/components/confirm-button";
import { formText } from "~/lib/form";
import { formatDateTime } from "~/lib/format";
import { atLeast } from "~/lib/roles";
import { collectData, schemaFields } from "~/lib/schema-fields";
import { fieldErrorsOf, formErrorOf } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import { CredentialFields } from "./credential-fields";
import { TestConnection } from "./test-connection";

type CredentialType = RouterOutputs["credentials"]["types"][number];
type Credential = RouterOutputs["credentials"]["list"][number];

export function CredentialsView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.me.get.queryOptions());
  const types = useQuery(trpc.credentials.types.queryOptions());
  const list = useQuery(trpc.credentials.list.queryOptions());
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.credentials.list.queryKey() });
  const remove = useMutation(trpc.credentials.delete.mutationOptions({ onSuccess: refresh }));

  const error = list.error ?? types.error;
  if (error) return <Alert variant="danger">{error.message}</Alert>;
  if (!list.data || !types.data || !me.data)
    return <p className="text-sm text-fg-muted">Loading credentials…</p>;

  const canEdit = atLeast(me.data.activeOrg.role, "editor");
  const typeLabel = (type: string) => types.data.find((t) => t.type === type)?.label ?? type;
  const isModelProvider = (type: string) =>
    types.data.find((t) => t.type === type)?.modelProvider === true;

  return (
    <Card>
      <CardHeader className="flex-row items-start justify-between gap-4">
        <div className="flex flex-col gap-1">
          <CardTitle>Stored credentials</CardTitle>
          <CardDescription>
            Secrets are encrypted at rest and write-only: once saved they are never shown again,
            only replaced.
          </CardDescription>
        </div>
        {canEdit ? <CreateCredentialButton types={types.data} onSaved={refresh} /> : null}
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {remove.error ? <Alert variant="danger">{remove.error.message}</Alert> : null}
        {list.data.length === 0 ? (
          <EmptyState
            icon={Lock}
            title="No credentials yet"
            description="Add an API key or a login that your flows' nodes can use."
          />
        ) : (
          <Table>
            <TableCaption>Credentials of {me.data.activeOrg.name}</TableCaption>
            <TableHeader>
              <TableRow>
                <TableHead>Name</TableHead>
                <TableHead>Type</TableHead>
                <TableHead>Secret</TableHead>
                <TableHead>Updated</TableHead>
                <TableHead>Connection</TableHead>
                <TableHead>
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {list.data.map((credential) => (
                <TableRow key={credential.id} data-testid={`credential-${credential.name}`}>
                  <TableCell className="font-medium">{credential.name}</TableCell>
                  <TableCell>{typeLabel(credential.type)}</TableCell>
                  <TableCell>
                    <Badge>Stored · hidden</Badge>
                  </TableCell>
                  <TableCell>{formatDateTime(credential.updatedAt)}</TableCell>
                  <TableCell>
                    {canEdit && isModelProvider(credential.type) ? (
                      <TestConnection credentialId={credential.id} name={credential.name} />
                    ) : (
                      <span className="text-fg-muted">—</span>
                    )}
                  </TableCell>
                  <TableCell>
                    {canEdit ? (
                      <div className="flex justify-end gap-2">
                        <EditCredentialButton
                          credential={credential}
                          type={types.data.find((t) => t.type === credential.type)}
                          onSaved={refresh}
                        />
                        <ConfirmButton
                          label={`Delete credential ${credential.name}`}
                          title={`Delete ${credential.name}?`}
                          description="Flows that use it will fail until they get another credential."
                          confirmLabel="Delete credential"
                          onConfirm={() => remove.mutate({ id: credential.id })}
                          pending={remove.isPending}
                        >
                          <Trash2 aria-hidden="true" />
                          Delete
                        </ConfirmButton>
                      </div>
                    ) : null}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  );
}

function CreateCredentialButton({
  types,
  onSaved,
}: {
  types: CredentialType[];
  onSaved: () => void;
}) {
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const [typeId, setTypeId] = useState<CredentialType["type"] | undefined>(types[0]?.type);
  const create = useMutation(
    trpc.credentials.create.mutationOptions({
      onSuccess: () => {
        onSaved();
        setOpen(false);
        create.reset();
      },
    }),
  );
  const selected = types.find((t) => t.type === typeId);
  const fields = schemaFields(selected?.schema);
  const fieldErrors = fieldErrorsOf(create.error);
  const formError = formErrorOf(create.error);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    if (!typeId) return;
    create.mutate({ type: typeId, name: formText(form, "name"), data: collectData(form, fields) });
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) create.reset();
      }}
    >
      <Button onClick={() => setOpen(true)}>
        <Plus aria-hidden="true" />
        Add credential
      </Button>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Add credential</DialogTitle>
          <DialogDescription>
            The secret values are encrypted and never shown again.
          </DialogDescription>
        </DialogHeader>
        <form noValidate onSubmit={onSubmit} className="flex flex-col gap-4">
          {formError ? <Alert variant="danger">{formError}</Alert> : null}
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="credential-type">Type</Label>
            <Select
              value={typeId}
              onValueChange={(value) => setTypeId(types.find((t) => t.type === value)?.type)}
            >
              <SelectTrigger id="credential-type">
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                {types.map((t) => (
                  <SelectItem key={t.type} value={t.type}>
                    {t.label}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
            {fieldErrors.type ? (
              <p className="text-sm text-danger">{fieldErrors.type.join(" ")}</p>
            ) : null}
          </div>
          <FormField id="credential-name" label="Name" error={fieldErrors.name}>
            <Input name="name" autoComplete="off" />
          </FormField>
          <CredentialFields
            key={typeId}
            fields={fields}
            errors={fieldErrors}
            idPrefix="credential"
            keepExisting={false}
          />
          <DialogFooter>
            <Button type="submit" disabled={create.isPending}>
              {create.isPending ? "Saving…" : "Save credential"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

function EditCredentialButton({
  credential,
  type,
  onSaved,
}: {
  credential: Credential;
  type: CredentialType | undefined;
  onSaved: () => void;
}) {
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const update = useMutation(
    trpc.credentials.update.mutationOptions({
      onSuccess: () => {
        onSaved();
        setOpen(false);
        update.reset();
      },
    }),
  );
  const fields = schemaFields(type?.schema);
  const fieldErrors = fieldErrorsOf(update.error);
  const formError = formErrorOf(update.error);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = formText(form, "name");
    const data = collectData(form, fields);
    update.mutate({
      id: credential.id,
      ...(name !== credential.name ? { name } : {}),
      ...(Object.keys(data).length > 0 ? { data } : {}),
    });
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) update.reset();
      }}
    >
      <Button
        variant="secondary"
        size="sm"
        aria-label={`Edit credential ${credential.name}`}
        onClick={() => setOpen(true)}
      >
        <Pencil aria-hidden="true" />
        Edit
      </Button>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Edit {credential.name}</DialogTitle>
          <DialogDescription>
            Leave the secret fields blank to keep what is stored. To change the secret, fill in
            every required field: the new values replace the old ones.
          </DialogDescription>
        </DialogHeader>
        <form noValidate onSubmit={onSubmit} className="flex flex-col gap-4">
          {formError ? <Alert variant="danger">{formError}</Alert> : null}
          <FormField id={`edit-${credential.id}-name`} label="Name" error={fieldErrors.name}>
            <Input name="name" defaultValue={credential.name} autoComplete="off" />
          </FormField>
          <CredentialFields
            fields={fields}
            errors={fieldErrors}
            idPrefix={`edit-${credential.id}`}
            keepExisting
          />
          <DialogFooter>
            <Button type="submit" disabled={update.isPending}>
              {update.isPending ? "Saving…" : "Save changes"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
