"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ReactFlowProvider } from "@xyflow/react";
import Link from "next/link";
import { useState } from "react";

import type { RouterOutputs } from "@runnel/api";
import { Alert } from "@runnel/ui";

import { RunControls } from "~/features/runs/run-controls";
import { RunInspector } from "~/features/runs/run-inspector";
import { useRunWatch } from "~/features/runs/use-run-watch";
import { PublishDialog } from "~/features/versions/publish-dialog";
import { atLeast } from "~/lib/roles";
import { useTRPC } from "~/trpc/react";
import { FlowEditor } from "./flow-editor";

/** What the page read on the server for this very navigation (each part may be missing). */
export interface EditorInitialData {
  me?: RouterOutputs["me"]["get"];
  flow?: FlowData;
  catalogue?: RouterOutputs["nodes"]["catalogue"];
}

type FlowData = RouterOutputs["flows"]["get"];

/** When the flow's draft was last saved (milliseconds). */
function draftTime(flow: FlowData): number {
  return new Date(flow.draftUpdatedAt ?? flow.updatedAt).getTime();
}

/** Loads the flow, the catalogue and the draft's problems, then shows the editor (read-only for viewers). */
export function EditorView({
  flowId,
  initial = {},
}: {
  flowId: string;
  initial?: EditorInitialData;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery({ ...trpc.me.get.queryOptions(), initialData: initial.me });
  // The editor owns the draft once loaded: no background refetch may replace it under the user's hands. It starts
  // from the newer of the flow the server rendered this page with (which back/forward navigation replays from the
  // router cache) and the flow cached in this tab (which autosave keeps up to date), or else from a fetch made
  // after mounting: editing an older draft would write it back over the newer one.
  const [startFlow] = useState(() => {
    if (initial.flow?.id !== flowId) return undefined;
    const key = trpc.flows.get.queryKey({ id: flowId });
    const cached = queryClient.getQueryData(key);
    if (cached && draftTime(cached) > draftTime(initial.flow)) return cached;
    queryClient.setQueryData(key, initial.flow);
    return initial.flow;
  });
  const flow = useQuery({
    ...trpc.flows.get.queryOptions({ id: flowId }),
    staleTime: Infinity,
    refetchOnMount: startFlow ? false : "always",
  });
  const flowData = startFlow ?? (flow.isFetchedAfterMount ? flow.data : undefined);
  const catalogue = useQuery({
    ...trpc.nodes.catalogue.queryOptions(),
    staleTime: Infinity,
    initialData: initial.catalogue,
  });
  const validation = useQuery({
    ...trpc.flows.validate.queryOptions({ id: flowId }),
    refetchOnMount: "always",
  });
  // The test run started from the toolbar: its live step status colours the canvas, its steps fill the inspector.
  const [runId, setRunId] = useState<string | null>(null);
  const watch = useRunWatch(runId);

  const error = (startFlow ? null : flow.error) ?? catalogue.error ?? me.error;
  if (error) {
    return (
      <div className="flex flex-col gap-3">
        <Alert variant="danger">{error.message}</Alert>
        <Link href="/flows" className="text-sm text-link">
          Back to flows
        </Link>
      </div>
    );
  }
  if (!flowData || !catalogue.data || !me.data) {
    return <p className="text-sm text-fg-muted">Loading the editor…</p>;
  }
  const readOnly = !atLeast(me.data.activeOrg.role, "editor");
  return (
    <ReactFlowProvider>
      <FlowEditor
        key={flowData.id}
        flowId={flowData.id}
        name={flowData.name}
        draft={flowData.draft}
        catalogue={catalogue.data}
        readOnly={readOnly}
        initialProblems={validation.data?.problems}
        nodeStatus={runId ? watch.nodeStatus : undefined}
        run={
          readOnly
            ? undefined
            : ({ saveDraft, selectedNodeId, selectedNodeName }) => (
                <RunControls
                  flowId={flowId}
                  saveDraft={saveDraft}
                  selectedNodeId={selectedNodeId}
                  selectedNodeName={selectedNodeName}
                  onRunChange={setRunId}
                  runId={runId}
                  watch={watch}
                />
              )
        }
        inspector={(nodeId) =>
          runId && nodeId ? (
            <RunInspector key={`${runId}:${nodeId}`} runId={runId} nodeId={nodeId} watch={watch} />
          ) : null
        }
        publish={({ disabledReason }) => (
          <PublishDialog
            flowId={flowId}
            disabled={disabledReason !== undefined}
            disabledReason={disabledReason}
            onPublished={() =>
              void queryClient.invalidateQueries({
                queryKey: trpc.flows.versions.queryKey({ id: flowId }),
              })
            }
          />
        )}
      />
    </ReactFlowProvider>
  );
}
