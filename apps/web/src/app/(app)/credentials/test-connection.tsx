"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { PlugZap } from "lucide-react";

import { Button, cn } from "@runnel/ui";

import { useTRPC } from "~/trpc/react";

/**
 * "Test connection" of a model provider credential: one authenticated call listing the provider's models
 * (`credentials.test`). Shows "Connected — N models" or the provider's error (status, never the key); a success
 * also refreshes the model list the node forms suggest from.
 */
export function TestConnection({ credentialId, name }: { credentialId: string; name: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const test = useMutation(
    trpc.credentials.test.mutationOptions({
      onSuccess: () =>
        queryClient.invalidateQueries({
          queryKey: trpc.credentials.models.queryKey({ id: credentialId }),
        }),
    }),
  );

  return (
    <div className="flex flex-wrap items-center gap-2">
      <Button
        variant="secondary"
        size="sm"
        onClick={() => test.mutate({ id: credentialId })}
        disabled={test.isPending}
        aria-label={`Test connection of ${name}`}
      >
        <PlugZap aria-hidden="true" />
        {test.isPending ? "Testing…" : "Test connection"}
      </Button>
      <span
        role="status"
        aria-label={`Connection of ${name}`}
        className={cn("text-sm", test.error ? "text-danger" : "text-success")}
      >
        {test.data
          ? `Connected — ${test.data.models} ${test.data.models === 1 ? "model" : "models"}`
          : (test.error?.message ?? "")}
      </span>
    </div>
  );
}
