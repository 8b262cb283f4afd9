import type { Metadata } from "next";

import { authProviders } from "~/server/providers";
import { SignUpForm } from "./sign-up-form";

export const metadata: Metadata = { title: "Create your account" };
export const dynamic = "force-dynamic";

export default async function SignUpPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string | string[] }>;
}) {
  const { callbackUrl } = await searchParams;
  return (
    <SignUpForm
      callbackUrl={typeof callbackUrl === "string" ? callbackUrl : undefined}
      providers={authProviders()}
    />
  );
}
