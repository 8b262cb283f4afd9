"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ReactFlowProvider } from "@xyflow/react";
import Link from "next/link";

import { Alert } from "@runnel/ui";

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
