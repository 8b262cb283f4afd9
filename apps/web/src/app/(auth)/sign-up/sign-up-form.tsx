"use client";

import type { FormEvent } from "react";
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useState, useTransition } from "react";

import {
  Alert,
  Button,
  Card,
  CardContent,
  CardDescription,
  CardFooter,
  CardHeader,
  FormField,
  Input,
} from "@runnel/ui";

import type { OAuthProvider } from "~/server/providers";
import { formText } from "~/lib/form";
import { signInWithPassword, signInWithProvider } from "~/server/actions";
import { fieldErrorsOf, formErrorOf } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import { OAuthButtons } from "../oauth-buttons";

/** Creates the account (server-side validation gives the field errors), then signs in. */
export function SignUpForm({
  callbackUrl,
  providers,
}: {
  callbackUrl: string | undefined;
  providers: OAuthProvider[];
}) {
  const trpc = useTRPC();
  const signUp = useMutation(trpc.auth.signUp.mutationOptions());
  const [signInError, setSignInError] = useState<string | null>(null);
  const [signingIn, startTransition] = useTransition();
  const fieldErrors = fieldErrorsOf(signUp.error);
  const formError = formErrorOf(signUp.error) ?? signInError;
  const signInHref = callbackUrl
    ? `/sign-in?callbackUrl=${encodeURIComponent(callbackUrl)}`
    : "/sign-in";

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input = {
      name: formText(form, "name"),
      email: formText(form, "email"),
      password: formText(form, "password"),
    };
    setSignInError(null);
    signUp.mutate(input, {
      onSuccess: () => {
        startTransition(async () => {
          const result = await signInWithPassword({
            email: input.email,
            password: input.password,
            callbackUrl,
          });
          setSignInError(result.error);
        });
      },
    });
  }

  const busy = signUp.isPending || signingIn;
  return (
    <Card>
      <CardHeader>
        <h1 className="text-lg font-semibold">Create your account</h1>
        <CardDescription>You get a personal organization to start building flows.</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {formError ? <Alert variant="danger">{formError}</Alert> : null}
        <form
          noValidate
          onSubmit={onSubmit}
          className="flex flex-col gap-4"
          aria-label="Create account"
        >
          <FormField id="name" label="Name" error={fieldErrors.name}>
            <Input name="name" autoComplete="name" />
          </FormField>
          <FormField id="email" label="Email" error={fieldErrors.email}>
            <Input name="email" type="email" autoComplete="email" />
          </FormField>
          <FormField
            id="password"
            label="Password"
            hint="At least 10 characters, with a letter and a digit."
            error={fieldErrors.password}
          >
            <Input name="password" type="password" autoComplete="new-password" />
          </FormField>
          <Button type="submit" disabled={busy}>
            {busy ? "Creating account…" : "Create account"}
          </Button>
        </form>
        <OAuthButtons providers={providers} onChoose={(p) => signInWithProvider(p, callbackUrl)} />
      </CardContent>
      <CardFooter className="text-sm text-fg-muted">
        Already have an account?
        <Link
          href={signInHref}
          className="font-medium text-link underline-offset-4 hover:underline"
        >
          Sign in
        </Link>
      </CardFooter>
    </Card>
  );
}
