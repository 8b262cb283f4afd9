"use client";

import { useQueries, useQuery } from "@tanstack/react-query";
import { Webhook } from "lucide-react";

import { Alert, EmptyState, LoadingRows } from "@runnel/ui";

import { atLeast } from "~/lib/roles";
import { useTRPC } from "~/trpc/react";
import { FlowTriggers } from "./flow-triggers";
import { TimeZoneList } from "./schedule-dialog";

/** Every published flow's webhooks and schedules (webhooks and schedules come from published versions). */
export function TriggersView() {
  const trpc = useTRPC();
  const me = useQuery(trpc.me.get.queryOptions());
  const flows = useQuery(trpc.flows.list.queryOptions({ limit: 100 }));
  const published = flows.data?.items.filter((flow) => flow.latestVersion !== null) ?? [];
  const lists = useQueries({
    queries: published.map((flow) => trpc.triggers.list.queryOptions({ flowId: flow.id })),
  });
  const canEdit = me.data ? atLeast(me.data.activeOrg.role, "editor") : false;

  const error = flows.error ?? lists.find((list) => list.error)?.error;
  if (error) return <Alert variant="danger">Could not load triggers: {error.message}</Alert>;
  if (!flows.data || !me.data || lists.some((list) => list.isPending))
    return <LoadingRows label="Loading triggers…" />;

  const withTriggers = published.flatMap((flow, index) => {
    const triggers = lists[index]?.data;
    return triggers && (triggers.webhooks.length > 0 || triggers.schedules.length > 0)
      ? [{ flow, triggers }]
      : [];
  });
  if (withTriggers.length === 0) {
    return (
      <EmptyState
        icon={Webhook}
        title="No webhooks or schedules yet"
        description="Add a Webhook or Schedule trigger node to a flow and publish it: its URL or schedule appears here."
      />
    );
  }
  return (
    <>
      <TimeZoneList />
      <ul className="flex flex-col gap-4" aria-label="Flows with triggers">
        {withTriggers.map(({ flow, triggers }) => (
          <li key={flow.id}>
            <FlowTriggers flow={flow} triggers={triggers} canEdit={canEdit} />
          </li>
        ))}
      </ul>
    </>
  );
}
