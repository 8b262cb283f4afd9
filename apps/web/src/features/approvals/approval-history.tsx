"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";

import type { BadgeProps } from "@runnel/ui";
import {
  Alert,
  Badge,
  LoadingRows,
  Table,
  TableBody,
  TableCaption,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@runnel/ui";

import { formatDateTime } from "~/lib/format";
import { useTRPC } from "~/trpc/react";

const statusBadge: Record<string, { label: string; variant: BadgeProps["variant"] }> = {
  approved: { label: "Approved", variant: "success" },
  rejected: { label: "Rejected", variant: "danger" },
  expired: { label: "Timed out", variant: "neutral" },
};

/** Decided and timed-out approvals, newest decision first. */
export function ApprovalHistory() {
  const trpc = useTRPC();
  const decided = useQuery(trpc.approvals.decided.queryOptions({ limit: 50 }));
  if (decided.error) return <Alert variant="danger">{decided.error.message}</Alert>;
  if (!decided.data) return <LoadingRows label="Loading decided approvals…" />;
  if (decided.data.length === 0)
    return <p className="text-sm text-fg-muted">No approval has been decided yet.</p>;
  return (
    <Table>
      <TableCaption>Decided approvals</TableCaption>
      <TableHeader>
        <TableRow>
          <TableHead>Request</TableHead>
          <TableHead>Decision</TableHead>
          <TableHead>By</TableHead>
          <TableHead>Comment</TableHead>
          <TableHead>When</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {decided.data.map((row) => {
          const badge = statusBadge[row.status] ?? { label: row.status, variant: "neutral" };
          return (
            <TableRow key={row.id}>
              <TableCell>
                <div className="font-medium">{row.message || "Approval"}</div>
                <div className="text-xs text-fg-muted">
                  {row.flowName} · <code className="font-mono">{row.nodeId}</code> ·{" "}
                  <Link
                    href={`/runs/${row.runId}`}
                    className="text-link underline underline-offset-2"
                  >
                    run
                  </Link>
                </div>
              </TableCell>
              <TableCell>
                <Badge variant={badge.variant}>{badge.label}</Badge>
              </TableCell>
              <TableCell>{row.decidedByName ?? row.decidedByEmail ?? "—"}</TableCell>
              <TableCell className="max-w-64 break-words">
                {row.comment ?? "—"}
                {row.formData ? (
                  <code className="block font-mono text-xs text-fg-muted">
                    {JSON.stringify(row.formData)}
                  </code>
                ) : null}
              </TableCell>
              <TableCell>{formatDateTime(row.decidedAt)}</TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
