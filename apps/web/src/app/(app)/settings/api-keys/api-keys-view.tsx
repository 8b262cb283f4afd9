"use client";

import type { FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { KeyRound, Plus } from "lucide-react";
import { useState } from "react";

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

import type { KeyAccess } from "./key-access";
import { ConfirmButton } from "~/components/confirm-button";
import { CopyField } from "~/components/copy-field";
import { formText } from "~/lib/form";
import { formatDateTime } from "~/lib/format";
import { atLeast } from "~/lib/roles";
import { fieldErrorsOf, formErrorOf } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import { describeScopes, KEY_ACCESS, keyAccess } from "./key-access";

export function ApiKeysView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.me.get.queryOptions());
  const keys = useQuery(trpc.apiKeys.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
  const revoke = useMutation(trpc.apiKeys.revoke.mutationOptions({ onSuccess: refresh }));
  const canManage = me.data ? atLeast(me.data.activeOrg.role, "admin") : false;

  if (keys.error) return <Alert variant="danger">{keys.error.message}</Alert>;
  if (!keys.data || !me.data) return <p className="text-sm text-fg-muted">Loading API keys…</p>;

  return (
    <Card>
      <CardHeader className="flex-row items-start justify-between gap-4">
        <div className="flex flex-col gap-1">
          <CardTitle>API keys</CardTitle>
          <CardDescription>
            Keys act in {me.data.activeOrg.name} with the editor role unless limited to reading
            runs. Send one as <code className="font-mono">Authorization: Bearer rk_…</code>.
          </CardDescription>
        </div>
        {canManage ? <CreateKeyButton onCreated={refresh} /> : null}
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {revoke.error ? <Alert variant="danger">{revoke.error.message}</Alert> : null}
        {keys.data.length === 0 ? (
          <EmptyState
            icon={KeyRound}
            title="No API keys yet"
            description="Create one to call Runnel from your code."
          />
        ) : (
          <Table>
            <TableCaption>API keys of {me.data.activeOrg.name}</TableCaption>
            <TableHeader>
              <TableRow>
                <TableHead>Name</TableHead>
                <TableHead>Key</TableHead>
                <TableHead>Access</TableHead>
                <TableHead>Created</TableHead>
                <TableHead>Last used</TableHead>
                <TableHead>Status</TableHead>
                <TableHead>
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {keys.data.map((key) => (
                <TableRow key={key.id} data-testid={`api-key-${key.name}`}>
                  <TableCell className="font-medium">{key.name}</TableCell>
                  <TableCell className="font-mono">{key.prefix}…</TableCell>
                  <TableCell title={key.scopes.length > 0 ? key.scopes.join(", ") : undefined}>
                    {describeScopes(key.scopes)}
                  </TableCell>
                  <TableCell>{formatDateTime(key.createdAt)}</TableCell>
                  <TableCell>{formatDateTime(key.lastUsedAt, "Never")}</TableCell>
                  <TableCell>
                    {key.revokedAt ? (
                      <Badge variant="danger">Revoked</Badge>
                    ) : (
                      <Badge variant="success">Active</Badge>
                    )}
                  </TableCell>
                  <TableCell className="text-right">
                    {canManage && !key.revokedAt ? (
                      <ConfirmButton
                        label={`Revoke key ${key.name}`}
                        title={`Revoke ${key.name}?`}
                        description="Requests with this key fail at once. This cannot be undone."
                        confirmLabel="Revoke key"
                        onConfirm={() => revoke.mutate({ id: key.id })}
                        pending={revoke.isPending}
                      >
                        Revoke
                      </ConfirmButton>
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

function CreateKeyButton({ onCreated }: { onCreated: () => void }) {
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const [access, setAccess] = useState<KeyAccess>("full");
  const create = useMutation(trpc.apiKeys.create.mutationOptions({ onSuccess: onCreated }));
  const fieldErrors = fieldErrorsOf(create.error);
  const formError = formErrorOf(create.error);
  const scopeErrors = Object.entries(fieldErrors)
    .filter(([path]) => path === "scopes" || path.startsWith("scopes."))
    .flatMap(([, messages]) => messages ?? []);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const { scopes } = keyAccess(access);
    create.mutate({
      name: formText(new FormData(event.currentTarget), "name"),
      ...(scopes.length > 0 ? { scopes: [...scopes] } : {}),
    });
  }

  function onOpenChange(next: boolean) {
    setOpen(next);
    // The key is shown once: closing the dialog forgets it.
    if (!next) {
      create.reset();
      setAccess("full");
    }
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <Button onClick={() => setOpen(true)}>
        <Plus aria-hidden="true" />
        Create API key
      </Button>
      <DialogContent>
        {create.data ? (
          <>
            <DialogHeader>
              <DialogTitle>Copy your new API key</DialogTitle>
              <DialogDescription>
                This is the only time the key is shown. Store it somewhere safe; Runnel keeps only
                its hash.
              </DialogDescription>
            </DialogHeader>
            <CopyField id="new-api-key" label="New API key" value={create.data.key} />
            <DialogFooter>
              <Button onClick={() => onOpenChange(false)}>Done</Button>
            </DialogFooter>
          </>
        ) : (
          <>
            <DialogHeader>
              <DialogTitle>Create API key</DialogTitle>
              <DialogDescription>
                Name it after where it will be used, e.g. “ci-bot”.
              </DialogDescription>
            </DialogHeader>
            <form noValidate onSubmit={onSubmit} className="flex flex-col gap-4">
              {formError ? <Alert variant="danger">{formError}</Alert> : null}
              <FormField id="api-key-name" label="Key name" error={fieldErrors.name}>
                <Input name="name" autoComplete="off" />
              </FormField>
              <FormField
                id="api-key-access"
                label="Access"
                hint={keyAccess(access).hint}
                error={scopeErrors.length > 0 ? scopeErrors : undefined}
              >
                <AccessSelect value={access} onChange={setAccess} />
              </FormField>
              <DialogFooter>
                <Button type="submit" disabled={create.isPending}>
                  {create.isPending ? "Creating…" : "Create key"}
                </Button>
              </DialogFooter>
            </form>
          </>
        )}
      </DialogContent>
    </Dialog>
  );
}

function AccessSelect({
  value,
  onChange,
  ...trigger
}: {
  value: KeyAccess;
  onChange: (value: KeyAccess) => void;
}) {
  return (
    <Select value={value} onValueChange={(next) => onChange(keyAccess(next).value)}>
      <SelectTrigger {...trigger}>
        <SelectValue />
      </SelectTrigger>
      <SelectContent>
        {KEY_ACCESS.map((choice) => (
          <SelectItem key={choice.value} value={choice.value}>
            {choice.label}
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  );
}
