"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ReactFlowProvider } from "@xyflow/react";
import Link from "next/link";
import { useState } from "react";

import { Alert } from "@runnel/ui";

import { RunControls } from "~/features/runs/run-controls";
import { RunInspector } from "~/features/runs/run-inspector";
import { useRunWatch } from "~/features/runs/use-run-watch";
import { PublishDialog } from "~/features/versions/publish-dialog";
import { atLeast } from "~/lib/roles";
import { useTRPC } from "~/trpc/react";
import { FlowEditor } from "./flow-editor";

/** Loads the flow, the catalogue and the draft's problems, then shows the editor (read-only for viewers). */
export function EditorView({ flowId }: { flowId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.me.get.queryOptions());
  // The editor owns the draft once loaded: no background refetch may replace it under the user's hands.
  const flow = useQuery({
    ...trpc.flows.get.queryOptions({ id: flowId }),
    staleTime: Infinity,
    refetchOnMount: "always",
  });
  const catalogue = useQuery({ ...trpc.nodes.catalogue.queryOptions(), staleTime: Infinity });
  const validation = useQuery({
    ...trpc.flows.validate.queryOptions({ id: flowId }),
    refetchOnMount: "always",
  });
  // The test run started from the toolbar: its live step status colours the canvas, its steps fill the inspector.
  const [runId, setRunId] = useState<string | null>(null);
  const watch = useRunWatch(runId);

  const error = flow.error ?? catalogue.error ?? me.error;
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
  if (!flow.data || !catalogue.data || !me.data) {
    return <p className="text-sm text-fg-muted">Loading the editor…</p>;
  }
  const readOnly = !atLeast(me.data.activeOrg.role, "editor");
  return (
    <ReactFlowProvider>
      <FlowEditor
        key={flow.data.id}
        flowId={flow.data.id}
        name={flow.data.name}
        draft={flow.data.draft}
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
