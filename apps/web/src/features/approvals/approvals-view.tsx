"use client";

import { useQuery } from "@tanstack/react-query";
import { CircleCheckBig } from "lucide-react";
import { useState } from "react";

import { Alert, Button, EmptyState, Label, LoadingRows, Switch } from "@runnel/ui";

import { useTRPC } from "~/trpc/react";
import { ApprovalCard } from "./approval-card";
import { ApprovalHistory } from "./approval-history";
import { canDecide, usePendingApprovals } from "./use-pending-count";

export function ApprovalsView() {
  const trpc = useTRPC();
  const me = useQuery(trpc.me.get.queryOptions());
  const pending = usePendingApprovals();
  const [onlyMine, setOnlyMine] = useState(false);
  const role = me.data?.activeOrg.role ?? "viewer";
  const shown = pending.data?.filter((approval) => !onlyMine || approval.assignedToMe) ?? [];

  return (
    <div className="flex flex-col gap-8">
      <section aria-labelledby="pending-heading" className="flex flex-col gap-4">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 id="pending-heading" className="text-lg font-semibold">
            Waiting for a decision
          </h2>
          <div className="flex items-center gap-2">
            <Switch id="only-mine" checked={onlyMine} onCheckedChange={setOnlyMine} />
            <Label htmlFor="only-mine">Only assigned to me</Label>
          </div>
        </div>
        {pending.error ? (
          <Alert variant="danger">
            Could not load approvals: {pending.error.message}{" "}
            <Button variant="link" size="sm" onClick={() => void pending.refetch()}>
              Try again
            </Button>
          </Alert>
        ) : !pending.data || !me.data ? (
          <LoadingRows label="Loading approvals…" />
        ) : shown.length === 0 ? (
          <EmptyState
            icon={CircleCheckBig}
            title="Nothing waiting for you"
            description="When a run reaches an Approval node, its request appears here for its assignees and editors to approve or reject."
          />
        ) : (
          <ul className="flex flex-col gap-4" aria-label="Pending approvals">
            {shown.map((approval) => (
              <li key={approval.id}>
                <ApprovalCard approval={approval} canDecide={canDecide(approval, role)} />
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="history-heading" className="flex flex-col gap-4">
        <h2 id="history-heading" className="text-lg font-semibold">
          Decided
        </h2>
        <ApprovalHistory />
      </section>
    </div>
  );
}
