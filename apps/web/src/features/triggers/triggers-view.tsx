"use client";

import { useQuery } from "@tanstack/react-query";
import { Webhook } from "lucide-react";

import { Alert, EmptyState, LoadingRows } from "@runnel/ui";

import { atLeast } from "~/lib/roles";
import { useTRPC } from "~/trpc/react";
import { FlowTriggers } from "./flow-triggers";
import { TimeZoneList } from "./schedule-dialog";

/** Every flow's webhooks and schedules (rows appear when a version with trigger nodes is published), in one query. */
export function TriggersView() {
  const trpc = useTRPC();
  const me = useQuery(trpc.me.get.queryOptions());
  const all = useQuery(trpc.triggers.listAll.queryOptions());
  const canEdit = me.data ? atLeast(me.data.activeOrg.role, "editor") : false;

  const error = all.error ?? me.error;
  if (error) return <Alert variant="danger">Could not load triggers: {error.message}</Alert>;
  if (!all.data || !me.data) return <LoadingRows label="Loading triggers…" />;

  const withTriggers = all.data.filter(
    (entry) => entry.webhooks.length > 0 || entry.schedules.length > 0,
  );
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
        {withTriggers.map(({ flow, webhooks, schedules }) => (
          <li key={flow.id}>
            <FlowTriggers flow={flow} triggers={{ webhooks, schedules }} canEdit={canEdit} />
          </li>
        ))}
      </ul>
    </>
  );
}
