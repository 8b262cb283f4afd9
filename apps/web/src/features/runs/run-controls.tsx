"use client";

import { skipToken, useMutation, useQuery } from "@tanstack/react-query";
import { CircleStop, ExternalLink, Play, RotateCcw } from "lucide-react";
import Link from "next/link";
import { useState } from "react";

import { Button } from "@runnel/ui";

import type { RunWatch } from "./use-run-watch";
import type { FlowDefinition } from "~/features/editor/types";
import { fieldErrorsOf } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import { exampleFromSchema } from "./input-example";
import { isTerminal } from "./run-state";
import { StatusBadge } from "./status-badge";
import { TestInputDialog } from "./test-input-dialog";
import { useRunWatch } from "./use-run-watch";

export interface RunControlsProps {
  flowId: string;
  /** Saves the editor's draft; a test run and a draft rerun run what was saved. */
  saveDraft: () => Promise<void>;
  selectedNodeId: string | null;
  onRunChange: (runId: string | null) => void;
  /** The run shown (controlled); without it the controls keep the last run they started. */
  runId?: string | null;
  /** The page's watch of that run (saves a second live connection). */
  watch?: RunWatch;
  /** The editor's current definition, for the input example (default: the saved draft). */
  definition?: FlowDefinition;
  /** Display name of the selected node (default: its id). */
  selectedNodeName?: string;
}

const lastInputKey = (flowId: string) => `runnel.testInput.${flowId}`;

function manualInputSchema(definition: FlowDefinition | undefined): unknown {
  const trigger = definition?.nodes.find((n) => n.type === "manual_trigger");
  return trigger?.config.inputSchema ?? { type: "object" };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The editor's run toolbar: "Run" opens the test-input dialog, then saves the draft and starts a test run;
 * "Rerun from <node>" reruns the shown run from the selected node with the saved draft; "Cancel run" while it
 * runs; a status pill links to the run's page.
 */
export function RunControls({
  flowId,
  saveDraft,
  selectedNodeId,
  onRunChange,
  runId: controlledRunId,
  watch,
  definition,
  selectedNodeName,
}: RunControlsProps) {
  const trpc = useTRPC();
  const [ownRunId, setOwnRunId] = useState<string | null>(null);
  const runId = controlledRunId !== undefined ? controlledRunId : ownRunId;
  const own = useRunWatch(watch ? null : runId);
  const run = (watch ?? own).run;

  const saved = useQuery(trpc.flows.get.queryOptions(definition ? skipToken : { id: flowId }));
  const [open, setOpen] = useState(false);
  const [initialText, setInitialText] = useState("{}");
  const [saveError, setSaveError] = useState<string | null>(null);

  const test = useMutation(trpc.runs.test.mutationOptions());
  const rerun = useMutation(trpc.runs.rerunFrom.mutationOptions());
  const cancel = useMutation(trpc.runs.cancel.mutationOptions());

  const show = (id: string) => {
    setOwnRunId(id);
    onRunChange(id);
  };

  const openDialog = () => {
    const last = window.localStorage.getItem(lastInputKey(flowId));
    const example = exampleFromSchema(manualInputSchema(definition ?? saved.data?.draft));
    setInitialText(last ?? JSON.stringify(example, null, 2));
    setSaveError(null);
    test.reset();
    setOpen(true);
  };

  const save = async (): Promise<boolean> => {
    setSaveError(null);
    try {
      await saveDraft();
      return true;
    } catch (error) {
      setSaveError(`The draft could not be saved: ${messageOf(error)}`);
      return false;
    }
  };

  const runTest = async (input: unknown) => {
    if (!(await save())) return;
    const started = await test.mutateAsync({ flowId, input }).catch(() => null);
    if (!started) return;
    window.localStorage.setItem(lastInputKey(flowId), JSON.stringify(input, null, 2));
    setOpen(false);
    show(started.id);
  };

  const rerunFromSelected = async () => {
    if (!runId || !selectedNodeId) return;
    if (!(await save())) return;
    const started = await rerun
      .mutateAsync({ runId, nodeId: selectedNodeId, draft: true })
      .catch(() => null);
    if (started) show(started.id);
  };

  const running = !!run && !isTerminal(run.status);
  const toolbarError =
    (!open ? saveError : null) ?? rerun.error?.message ?? cancel.error?.message ?? null;
  const inputError = fieldErrorsOf(test.error).input?.join(" ");

  return (
    <div className="flex flex-wrap items-center gap-2">
      <Button onClick={openDialog} disabled={test.isPending}>
        <Play aria-hidden="true" />
        Run
      </Button>
      {runId && selectedNodeId ? (
        <Button
          variant="secondary"
          onClick={() => void rerunFromSelected()}
          disabled={rerun.isPending}
        >
          <RotateCcw aria-hidden="true" />
          Rerun from {selectedNodeName ?? selectedNodeId}
        </Button>
      ) : null}
      {running && runId ? (
        <Button
          variant="danger"
          onClick={() => cancel.mutate({ id: runId })}
          disabled={cancel.isPending}
        >
          <CircleStop aria-hidden="true" />
          Cancel run
        </Button>
      ) : null}
      {run ? (
        <span
          className="flex items-center gap-1"
          role="status"
          aria-label={`Run status: ${run.status}`}
        >
          <StatusBadge status={run.status} />
          <Link
            href={`/runs/${run.id}`}
            className="text-link"
            aria-label="Open the run's page"
            title="Open the run's page"
          >
            <ExternalLink aria-hidden="true" className="size-4" />
          </Link>
        </span>
      ) : null}
      {toolbarError ? (
        <span role="alert" className="text-xs text-danger">
          {toolbarError}
        </span>
      ) : null}
      <TestInputDialog
        open={open}
        onOpenChange={setOpen}
        initialText={initialText}
        onRun={runTest}
        pending={test.isPending}
        inputError={inputError}
        formError={saveError ?? (inputError ? null : (test.error?.message ?? null))}
      />
    </div>
  );
}
