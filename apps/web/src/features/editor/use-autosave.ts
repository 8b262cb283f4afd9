"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";

import type { FlowDefinition, FlowProblem } from "./types";
import { useTRPC } from "~/trpc/react";

export const AUTOSAVE_DELAY_MS = 1000;

export type SaveState =
  | { kind: "saved" }
  | { kind: "unsaved" }
  | { kind: "saving" }
  | { kind: "failed"; message: string };

/**
 * Saves the draft about a second after the last change (and at once through `saveNow`, e.g. Ctrl+S). Each save
 * sends the whole definition of one revision; the compiler problems it returns go to `onProblems`. A change made
 * while a save is running is saved after it.
 */
export function useAutosave({
  flowId,
  definition,
  revision,
  onProblems,
}: {
  flowId: string;
  definition: FlowDefinition;
  revision: number;
  onProblems: (problems: FlowProblem[]) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { mutateAsync } = useMutation(trpc.flows.saveDraft.mutationOptions());
  const [savedRevision, setSavedRevision] = useState(revision);
  const [saving, setSaving] = useState(false);
  /** The last failure and the revision it failed at: autosave retries on the next change, not in a loop. */
  const [error, setError] = useState<{ message: string; revision: number } | null>(null);
  const latest = useRef({ definition, revision, onProblems });
  const inFlight = useRef<Promise<void> | null>(null);
  const savedRef = useRef(revision);

  useEffect(() => {
    latest.current = { definition, revision, onProblems };
  });

  const saveNow = useCallback(async (): Promise<void> => {
    while (inFlight.current) await inFlight.current;
    const { definition: toSave, revision: at } = latest.current;
    if (at === savedRef.current) return;
    const run = (async () => {
      setSaving(true);
      try {
        const result = await mutateAsync({ id: flowId, definition: toSave });
        // The cached flow follows the saved draft: whoever opens this flow next in the tab starts from it.
        queryClient.setQueryData(trpc.flows.get.queryKey({ id: flowId }), (cached) =>
          cached ? { ...cached, ...result.flow, draft: toSave } : cached,
        );
        savedRef.current = at;
        setSavedRevision(at);
        setError(null);
        latest.current.onProblems(result.problems);
      } catch (cause) {
        setError({
          message: cause instanceof Error ? cause.message : "The draft could not be saved.",
          revision: at,
        });
        throw cause;
      } finally {
        setSaving(false);
        inFlight.current = null;
      }
    })();
    inFlight.current = run;
    return run;
  }, [flowId, mutateAsync, queryClient, trpc]);

  const dirty = revision !== savedRevision;

  useEffect(() => {
    if (!dirty || saving || error?.revision === revision) return;
    const timer = setTimeout(() => {
      saveNow().catch(() => undefined);
    }, AUTOSAVE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [dirty, revision, saving, error, saveNow]);

  const state: SaveState = saving
    ? { kind: "saving" }
    : error && dirty
      ? { kind: "failed", message: error.message }
      : dirty
        ? { kind: "unsaved" }
        : { kind: "saved" };
  return { state, dirty, saveNow };
}
