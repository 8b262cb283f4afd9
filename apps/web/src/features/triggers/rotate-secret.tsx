"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { RefreshCw } from "lucide-react";
import { useState } from "react";

import {
  Alert,
  Button,
  Dialog,
  DialogClose,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@runnel/ui";

import { CopyField } from "~/components/copy-field";
import { formErrorOf } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";

/**
 * Asks, then sets a new signing secret on a webhook and shows it once; closing the dialog forgets it.
 */
export function RotateSecret({ triggerId, nodeId }: { triggerId: string; nodeId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const rotate = useMutation(
    trpc.triggers.rotateSecret.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.triggers.pathKey() }),
    }),
  );
  const secret = rotate.data?.secret;
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) rotate.reset();
      }}
    >
      <DialogTrigger asChild>
        <Button variant="secondary" size="sm" aria-label={`Rotate secret of ${nodeId}`}>
          <RefreshCw aria-hidden="true" />
          Rotate secret
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{secret ? "New signing secret" : "Rotate signing secret"}</DialogTitle>
          <DialogDescription>
            {secret
              ? "Copy it now: it is shown only once. Senders sign each request with it (see the docs on webhook signatures)."
              : `A new secret replaces the current one of ${nodeId} at once: requests signed with the old secret are refused.`}
          </DialogDescription>
        </DialogHeader>
        {rotate.error ? <Alert variant="danger">{formErrorOf(rotate.error)}</Alert> : null}
        {secret ? (
          <CopyField id={`secret-${triggerId}`} label="Signing secret" value={secret} />
        ) : null}
        <DialogFooter>
          {secret ? (
            <DialogClose asChild>
              <Button>Done</Button>
            </DialogClose>
          ) : (
            <>
              <DialogClose asChild>
                <Button variant="secondary">Cancel</Button>
              </DialogClose>
              <Button
                variant="danger"
                disabled={rotate.isPending}
                onClick={() => rotate.mutate({ id: triggerId })}
              >
                {rotate.isPending ? "Rotating…" : "Rotate secret"}
              </Button>
            </>
          )}
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
