"use client";

import { useQuery } from "@tanstack/react-query";

import type { RouterOutputs } from "@runnel/api";

import type { Role } from "~/lib/roles";
import { atLeast } from "~/lib/roles";
import { useTRPC } from "~/trpc/react";

export type PendingApproval = RouterOutputs["approvals"]["pending"][number];

/** How often the nav badge and the inbox look for new requests. */
export const PENDING_POLL_MS = 15_000;

/** Editors decide any approval; anyone else only those assigned to them. */
export function canDecide(approval: Pick<PendingApproval, "assignedToMe">, role: Role): boolean {
  return approval.assignedToMe || atLeast(role, "editor");
}

/** The pending approvals, polled; the inbox and the nav badge share this query. */
export function usePendingApprovals() {
  const trpc = useTRPC();
  return useQuery(
    trpc.approvals.pending.queryOptions(
      { onlyMine: false },
      { refetchInterval: PENDING_POLL_MS, refetchOnWindowFocus: true },
    ),
  );
}

/** How many pending approvals the user can decide (0 while loading or on error). */
export function usePendingApprovalCount(role: Role): number {
  const pending = usePendingApprovals();
  return pending.data?.filter((approval) => canDecide(approval, role)).length ?? 0;
}
