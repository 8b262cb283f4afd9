"use client";

import { useQuery } from "@tanstack/react-query";

import type { OptionSource } from "./field-model";
import type { OptionsInputProps } from "./options-input";
import { useTRPC } from "~/trpc/react";
import { OptionsInput } from "./options-input";

export interface OptionsFieldProps extends Omit<OptionsInputProps, "options" | "listLabel"> {
  source: OptionSource;
  /** The value of the field the options depend on (the credential id for `models`). */
  dependency: unknown;
}

/** The provider's model list is cached this long; "Test connection" refreshes it. */
const MODELS_STALE_MS = 5 * 60_000;

/**
 * A text field with suggestions fetched for its `ui` hint: for `models`, the model ids of the chosen credential
 * (`credentials.models`). It says when there is nothing to list yet, while the list loads and why it failed; typing
 * a model id by hand works in every state.
 */
export function OptionsField({ source, dependency, ...input }: OptionsFieldProps) {
  const trpc = useTRPC();
  const credentialId = typeof dependency === "string" && dependency !== "" ? dependency : null;
  const models = useQuery({
    ...trpc.credentials.models.queryOptions({ id: credentialId ?? "" }),
    enabled: source === "models" && credentialId !== null,
    staleTime: MODELS_STALE_MS,
    retry: false,
  });

  let status: string;
  if (credentialId === null) status = "Choose a credential to list its models, or type a model id.";
  else if (models.isPending) status = "Loading models…";
  else if (models.error)
    status = `Could not list models: ${models.error.message}. Type a model id.`;
  else if (models.data.models.length === 0)
    status = "The provider lists no models; type a model id.";
  else status = `${models.data.models.length} models; type to filter, or type any other model id.`;

  return (
    <div className="flex flex-col gap-1">
      <OptionsInput {...input} options={models.data?.models} listLabel="Models" />
      <p
        role="status"
        data-options-status={models.error ? "error" : models.isFetching ? "loading" : "ready"}
        className={models.error ? "text-xs text-danger" : "text-xs text-fg-muted"}
      >
        {status}
      </p>
    </div>
  );
}
