"use client";

import type { FormEvent } from "react";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";

import { Alert, Button, FormField, Input } from "@runnel/ui";

import { formText } from "~/lib/form";
import { fieldErrorsOf, formErrorOf } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";

/** Renames the active organization (admins); the page and sidebar show the new name at once. */
export function RenameOrg({ name }: { name: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const rename = useMutation(
    trpc.orgs.rename.mutationOptions({ onSuccess: () => router.refresh() }),
  );
  const fieldErrors = fieldErrorsOf(rename.error);
  const formError = formErrorOf(rename.error);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    rename.mutate({ name: formText(new FormData(event.currentTarget), "name") });
  }

  return (
    <form noValidate onSubmit={onSubmit} className="flex flex-col gap-3">
      {formError ? <Alert variant="danger">{formError}</Alert> : null}
      {rename.isSuccess ? <Alert variant="success">Renamed to {rename.data.name}.</Alert> : null}
      <FormField id="rename-org" label="Organization name" error={fieldErrors.name}>
        <Input name="name" defaultValue={name} autoComplete="organization" />
      </FormField>
      <div>
        <Button type="submit" variant="secondary" disabled={rename.isPending}>
          {rename.isPending ? "Renaming…" : "Rename"}
        </Button>
      </div>
    </form>
  );
}
