"use client";

import { useMutation } from "@tanstack/react-query";
import { useTransition } from "react";

import { Alert, Button } from "@runnel/ui";

import { switchOrg } from "~/server/actions";
import { formErrorOf } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";

/** Joins the org, makes it the active one, and opens the dashboard. */
export function AcceptInvite({ token }: { token: string }) {
  const trpc = useTRPC();
  const [entering, startTransition] = useTransition();
  const accept = useMutation(
    trpc.orgs.acceptInvite.mutationOptions({
      onSuccess: (result) =>
        startTransition(async () => {
          await switchOrg(result.org.id);
          window.location.assign("/");
        }),
    }),
  );
  const error = formErrorOf(accept.error);
  return (
    <div className="flex flex-col gap-4">
      {error ? <Alert variant="danger">{error}</Alert> : null}
      <Button onClick={() => accept.mutate({ token })} disabled={accept.isPending || entering}>
        {accept.isPending || entering ? "Joining…" : "Accept invitation"}
      </Button>
    </div>
  );
}
