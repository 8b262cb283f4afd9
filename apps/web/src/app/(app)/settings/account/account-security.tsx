"use client";

import type { FormEvent } from "react";
import { useMutation } from "@tanstack/react-query";

import { Alert, Button, FormField, Input } from "@runnel/ui";

import { formText } from "~/lib/form";
import { signOutAction } from "~/server/actions";
import { fieldErrorsOf, formErrorOf } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";

/** Current password + new password; on success the other browsers are signed out (docs/auth.md, "Sessions"). */
export function ChangePassword() {
  const trpc = useTRPC();
  const change = useMutation(trpc.auth.changePassword.mutationOptions());
  const fieldErrors = fieldErrorsOf(change.error);
  const formError = formErrorOf(change.error);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    change.mutate(
      {
        currentPassword: formText(data, "currentPassword"),
        newPassword: formText(data, "newPassword"),
      },
      { onSuccess: () => form.reset() },
    );
  }

  return (
    <form noValidate onSubmit={onSubmit} className="flex max-w-md flex-col gap-3">
      {formError ? <Alert variant="danger">{formError}</Alert> : null}
      {change.isSuccess ? (
        <Alert variant="success">
          Password changed.{" "}
          {change.data.endedSessions === 1
            ? "1 other session was signed out."
            : `${change.data.endedSessions} other sessions were signed out.`}
        </Alert>
      ) : null}
      <FormField id="current-password" label="Current password" error={fieldErrors.currentPassword}>
        <Input name="currentPassword" type="password" autoComplete="current-password" />
      </FormField>
      <FormField
        id="new-password"
        label="New password"
        hint="At least 10 characters, with a letter and a digit."
        error={fieldErrors.newPassword}
      >
        <Input name="newPassword" type="password" autoComplete="new-password" />
      </FormField>
      <div>
        <Button type="submit" variant="secondary" disabled={change.isPending}>
          {change.isPending ? "Changing…" : "Change password"}
        </Button>
      </div>
    </form>
  );
}

/** Ends every session of the account, then clears this browser's cookie and goes to sign-in. */
export function SignOutEverywhere() {
  const trpc = useTRPC();
  const end = useMutation(
    trpc.auth.signOutEverywhere.mutationOptions({ onSuccess: () => signOutAction() }),
  );
  const formError = formErrorOf(end.error);
  return (
    <div className="flex flex-col gap-3">
      {formError ? <Alert variant="danger">{formError}</Alert> : null}
      <div>
        <Button variant="danger" disabled={end.isPending} onClick={() => end.mutate()}>
          {end.isPending ? "Signing out…" : "Sign out everywhere"}
        </Button>
      </div>
    </div>
  );
}
