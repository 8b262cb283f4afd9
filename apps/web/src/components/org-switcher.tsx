"use client";

import type { FormEvent } from "react";
import { useMutation } from "@tanstack/react-query";
import { Building2, ChevronsUpDown, Plus } from "lucide-react";
import { useState, useTransition } from "react";

import {
  Alert,
  Button,
  cn,
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
  FormField,
  Input,
  Tooltip,
} from "@runnel/ui";

import type { Me } from "./app-shell";
import { formText } from "~/lib/form";
import { switchOrg } from "~/server/actions";
import { fieldErrorsOf, formErrorOf } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";

/** Sets the `runnel_org` cookie and reloads, so every page and query sees the new org. */
async function activate(orgId: string): Promise<void> {
  await switchOrg(orgId);
  window.location.reload();
}

function initialOf(name: string): string {
  return (name.trim()[0] ?? "?").toUpperCase();
}

/** `compact` (from md up) shows the org as an initial in a square, for the sidebar's icon rail. */
export function OrgSwitcher({
  activeOrg,
  orgs,
  compact,
}: {
  activeOrg: Me["activeOrg"];
  orgs: Me["orgs"];
  compact: boolean;
}) {
  const [creating, setCreating] = useState(false);
  const [switching, startTransition] = useTransition();
  return (
    <>
      <DropdownMenu>
        <Tooltip label={activeOrg.name} side="right" disabled={!compact}>
          <DropdownMenuTrigger asChild>
            <Button
              variant="secondary"
              className={cn("w-full justify-between", compact && "md:size-10 md:p-0")}
              aria-label={`Organization: ${activeOrg.name}. Switch organization`}
              disabled={switching}
            >
              <span className={cn("flex min-w-0 items-center gap-2", compact && "md:hidden")}>
                <Building2 aria-hidden="true" />
                <span className="truncate">{activeOrg.name}</span>
              </span>
              <ChevronsUpDown aria-hidden="true" className={cn(compact && "md:hidden")} />
              {compact ? (
                <span aria-hidden="true" className="hidden w-full text-base font-semibold md:block">
                  {initialOf(activeOrg.name)}
                </span>
              ) : null}
            </Button>
          </DropdownMenuTrigger>
        </Tooltip>
        <DropdownMenuContent align="start" side={compact ? "right" : "bottom"}>
          <DropdownMenuLabel>Organizations</DropdownMenuLabel>
          <DropdownMenuRadioGroup
            value={activeOrg.id}
            onValueChange={(id) => {
              if (id !== activeOrg.id) startTransition(() => activate(id));
            }}
          >
            {orgs.map((org) => (
              <DropdownMenuRadioItem key={org.id} value={org.id}>
                <span className="truncate">{org.name}</span>
                <span className="ml-auto text-xs text-fg-muted">{org.role}</span>
              </DropdownMenuRadioItem>
            ))}
          </DropdownMenuRadioGroup>
          <DropdownMenuSeparator />
          <DropdownMenuItem onSelect={() => setCreating(true)}>
            <Plus aria-hidden="true" />
            Create organization
          </DropdownMenuItem>
        </DropdownMenuContent>
      </DropdownMenu>
      <CreateOrgDialog open={creating} onOpenChange={setCreating} />
    </>
  );
}

/** "Create organization" as a plain button (settings page); the dialog is the same as in the switcher. */
export function CreateOrgButton() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="secondary" onClick={() => setOpen(true)}>
        <Plus aria-hidden="true" />
        Create organization
      </Button>
      <CreateOrgDialog open={open} onOpenChange={setOpen} />
    </>
  );
}

function CreateOrgDialog({
  open,
  onOpenChange,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const trpc = useTRPC();
  const create = useMutation(trpc.orgs.create.mutationOptions());
  const [switching, startTransition] = useTransition();
  const fieldErrors = fieldErrorsOf(create.error);
  const formError = formErrorOf(create.error);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const name = formText(new FormData(event.currentTarget), "name");
    create.mutate({ name }, { onSuccess: (org) => startTransition(() => activate(org.id)) });
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Create organization</DialogTitle>
          <DialogDescription>
            You become its owner and it becomes your active organization.
          </DialogDescription>
        </DialogHeader>
        <form noValidate onSubmit={onSubmit} className="flex flex-col gap-4">
          {formError ? <Alert variant="danger">{formError}</Alert> : null}
          <FormField id="org-name" label="Organization name" error={fieldErrors.name}>
            <Input name="name" autoComplete="organization" />
          </FormField>
          <DialogFooter>
            <Button type="submit" disabled={create.isPending || switching}>
              {create.isPending || switching ? "Creating…" : "Create organization"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
