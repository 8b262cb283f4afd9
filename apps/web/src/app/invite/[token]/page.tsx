import type { Metadata } from "next";
import { TRPCError } from "@trpc/server";
import { MailOpen } from "lucide-react";
import Link from "next/link";

import { Alert, Button, Card, CardContent, CardDescription, CardHeader } from "@runnel/ui";

import { callerFor } from "~/server/caller";
import { getSessionUser } from "~/server/runtime";
import { AcceptInvite } from "./accept-invite";

export const metadata: Metadata = { title: "Invitation" };
export const dynamic = "force-dynamic";

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const session = await getSessionUser();
  const caller = await callerFor(session);
  const here = `/invite/${encodeURIComponent(token)}`;

  let preview: Awaited<ReturnType<typeof caller.orgs.invitePreview>> | null = null;
  let problem: string | null = null;
  try {
    preview = await caller.orgs.invitePreview({ token });
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    problem = error.message;
  }

  return (
    <main className="flex min-h-screen items-center justify-center bg-surface-muted p-4">
      <Card className="w-full max-w-md">
        <CardHeader>
          <h1 className="flex items-center gap-2 text-lg font-semibold">
            <MailOpen aria-hidden="true" className="size-5 text-link" />
            {preview ? `Join ${preview.orgName}` : "Invitation"}
          </h1>
          {preview ? (
            <CardDescription>
              You have been invited to join <strong>{preview.orgName}</strong> as{" "}
              <strong>{preview.role}</strong>.
            </CardDescription>
          ) : null}
        </CardHeader>
        <CardContent className="flex flex-col gap-4">
          {problem ? (
            <>
              <Alert variant="danger">{problem}</Alert>
              <Button asChild variant="secondary">
                <Link href="/">Go to Runnel</Link>
              </Button>
            </>
          ) : session ? (
            <AcceptInvite token={token} />
          ) : (
            <>
              <p className="text-sm text-fg-muted">
                Sign in or create an account to accept. You come back here after.
              </p>
              <div className="flex gap-2">
                <Button asChild>
                  <Link href={`/sign-in?callbackUrl=${encodeURIComponent(here)}`}>Sign in</Link>
                </Button>
                <Button asChild variant="secondary">
                  <Link href={`/sign-up?callbackUrl=${encodeURIComponent(here)}`}>
                    Create account
                  </Link>
                </Button>
              </div>
            </>
          )}
        </CardContent>
      </Card>
    </main>
  );
}
