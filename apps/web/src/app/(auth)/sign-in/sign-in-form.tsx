"use client";

import type { FormEvent } from "react";
import Link from "next/link";
import { useState, useTransition } from "react";
import { z } from "zod";

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
import { signInWithPassword, signInWithProvider } from "~/server/actions";
import { OAuthButtons } from "../oauth-buttons";

const SignInInput = z.object({
  email: z.email("Enter an email address like name@example.com"),
  password: z.string().min(1, "Enter your password"),
});
type FieldErrors = Partial<Record<keyof z.infer<typeof SignInInput>, string[]>>;

export function SignInForm({
  callbackUrl,
  providers,
}: {
  callbackUrl: string | undefined;
  providers: OAuthProvider[];
}) {
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const signUpHref = callbackUrl
    ? `/sign-up?callbackUrl=${encodeURIComponent(callbackUrl)}`
    : "/sign-up";

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const parsed = SignInInput.safeParse({
      email: form.get("email"),
      password: form.get("password"),
    });
    if (!parsed.success) {
      setFieldErrors(z.flattenError(parsed.error).fieldErrors);
      setFormError(null);
      return;
    }
    setFieldErrors({});
    startTransition(async () => {
      const result = await signInWithPassword({ ...parsed.data, callbackUrl });
      setFormError(result.error);
    });
  }

  return (
    <Card>
      <CardHeader>
        <h1 className="text-lg font-semibold">Sign in</h1>
        <CardDescription>Welcome back to Runnel.</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {formError ? <Alert variant="danger">{formError}</Alert> : null}
        <form noValidate onSubmit={onSubmit} className="flex flex-col gap-4" aria-label="Sign in">
          <FormField id="email" label="Email" error={fieldErrors.email}>
            <Input name="email" type="email" autoComplete="email" />
          </FormField>
          <FormField id="password" label="Password" error={fieldErrors.password}>
            <Input name="password" type="password" autoComplete="current-password" />
          </FormField>
          <Button type="submit" disabled={pending}>
            {pending ? "Signing in…" : "Sign in"}
          </Button>
        </form>
        <OAuthButtons providers={providers} onChoose={(p) => signInWithProvider(p, callbackUrl)} />
      </CardContent>
      <CardFooter className="text-sm text-fg-muted">
        No account yet?
        <Link
          href={signUpHref}
          className="font-medium text-link underline-offset-4 hover:underline"
        >
          Create one
        </Link>
      </CardFooter>
    </Card>
  );
}
