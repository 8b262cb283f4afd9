"use client";

import type { FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { CircleCheck, Upload } from "lucide-react";
import { useEffect, useId, useState } from "react";

import {
  Alert,
  Button,
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  FormField,
  Textarea,
} from "@runnel/ui";

import { fieldErrorsOf } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";

export interface PublishDialogProps {
  flowId: string;
  disabled?: boolean;
  /** Why publishing is not possible now (shown with the disabled button), e.g. "Save the draft first". */
  disabledReason?: string;
  onPublished?: (version: number) => void;
}

const TOAST_MS = 6_000;

/** One line per compile problem, from the field errors of a refused publish (`nodes.1.config.url` → message). */
export function publishProblems(error: unknown): string[] {
  return Object.entries(fieldErrorsOf(error)).flatMap(([path, messages]) =>
    (messages ?? []).map((message) => `${message} (${path})`),
  );
}

/**
 * The "Publish" button and its dialog: a message describing the change, then `flows.publish`, which compiles the
 * saved draft and stores it as the next immutable version. Compile problems are listed in the dialog; success
 * closes it and announces the new version number.
 */
export function PublishDialog({
  flowId,
  disabled,
  disabledReason,
  onPublished,
}: PublishDialogProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const reasonId = useId();
  const [open, setOpen] = useState(false);
  const [message, setMessage] = useState("");
  const [published, setPublished] = useState<number | null>(null);
  const publish = useMutation(
    trpc.flows.publish.mutationOptions({
      onSuccess: async (version) => {
        setOpen(false);
        setMessage("");
        setPublished(version.number);
        onPublished?.(version.number);
        await queryClient.invalidateQueries({ queryKey: trpc.flows.pathKey() });
      },
    }),
  );
  useEffect(() => {
    if (published === null) return;
    const timer = setTimeout(() => setPublished(null), TOAST_MS);
    return () => clearTimeout(timer);
  }, [published]);

  const problems = publishProblems(publish.error);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    event.stopPropagation();
    publish.mutate({ id: flowId, message });
  }

  return (
    <>
      <Dialog
        open={open}
        onOpenChange={(next) => {
          setOpen(next);
          if (!next) publish.reset();
        }}
      >
        <Button
          onClick={() => setOpen(true)}
          disabled={disabled}
          title={disabled ? disabledReason : undefined}
          aria-describedby={disabled && disabledReason ? reasonId : undefined}
        >
          <Upload aria-hidden="true" />
          Publish
        </Button>
        {disabled && disabledReason ? (
          <span id={reasonId} className="sr-only">
            {disabledReason}
          </span>
        ) : null}
        <DialogContent>
          <DialogHeader>
            <DialogTitle>Publish a version</DialogTitle>
            <DialogDescription>
              The saved draft is checked and stored as the next version. Versions never change;
              deployments and triggers run the version they are pinned to.
            </DialogDescription>
          </DialogHeader>
          <form noValidate onSubmit={onSubmit} className="flex flex-col gap-4">
            {publish.error ? (
              <Alert variant="danger" aria-label="Publish problems">
                {problems.length > 0 ? (
                  <>
                    <p className="font-medium">
                      The flow has {problems.length} problem{problems.length === 1 ? "" : "s"};
                      nothing was published.
                    </p>
                    <ul className="mt-1 list-disc pl-4">
                      {problems.map((problem) => (
                        <li key={problem}>{problem}</li>
                      ))}
                    </ul>
                  </>
                ) : (
                  publish.error.message
                )}
              </Alert>
            ) : null}
            <FormField
              id={`${reasonId}-message`}
              label="What changed"
              hint="Shown in the version history (optional, at most 500 characters)"
            >
              <Textarea
                value={message}
                maxLength={500}
                onChange={(event) => setMessage(event.target.value)}
              />
            </FormField>
            <DialogFooter>
              <Button type="submit" disabled={publish.isPending}>
                {publish.isPending ? "Publishing…" : "Publish version"}
              </Button>
            </DialogFooter>
          </form>
        </DialogContent>
      </Dialog>
      <div role="status" className="fixed right-4 bottom-4 z-50">
        {published !== null ? (
          <p className="flex items-center gap-2 rounded-md border border-success bg-success-soft px-4 py-3 text-sm text-success shadow-lg">
            <CircleCheck aria-hidden="true" className="size-4" />
            Published version {published}
          </p>
        ) : null}
      </div>
    </>
  );
}
