import type { Metadata } from "next";

import { authProviders } from "~/server/providers";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string | string[] }>;
}) {
  const { callbackUrl } = await searchParams;
  return (
    <SignInForm
      callbackUrl={typeof callbackUrl === "string" ? callbackUrl : undefined}
      providers={authProviders()}
    />
  );
}
