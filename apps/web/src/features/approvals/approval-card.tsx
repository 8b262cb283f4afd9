"use client";

import Link from "next/link";

import { Badge, Card, CardContent, CardDescription, CardHeader, CardTitle } from "@runnel/ui";

import type { PendingApproval } from "./use-pending-count";
import { formatDateTime } from "~/lib/format";
import { DecisionForm } from "./decision-form";
import { ReviewData } from "./review-data";

/** One pending request: where it comes from, what is asked, the data, and the decision form if the user may decide. */
export function ApprovalCard({
  approval,
  canDecide,
}: {
  approval: PendingApproval;
  canDecide: boolean;
}) {
  const titleId = `approval-${approval.id}-title`;
  return (
    <Card aria-labelledby={titleId}>
      <CardHeader>
        <div className="flex flex-wrap items-center gap-2">
          <CardTitle id={titleId}>{approval.message || "Approval requested"}</CardTitle>
          {approval.assignedToMe ? <Badge variant="primary">Assigned to you</Badge> : null}
        </div>
        <CardDescription>
          <Link
            href={`/flows/${approval.flowId}`}
            className="text-link underline underline-offset-2"
          >
            {approval.flowName}
          </Link>
          {" · node "}
          <code className="font-mono">{approval.nodeId}</code>
          {" · "}
          <Link href={`/runs/${approval.runId}`} className="text-link underline underline-offset-2">
            run {approval.runId}
          </Link>
          {" · requested "}
          {formatDateTime(approval.createdAt)}
          {approval.expiresAt ? ` · expires ${formatDateTime(approval.expiresAt)}` : null}
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <div className="flex flex-col gap-1.5">
          <h3 className="text-sm font-medium">Data under review</h3>
          <ReviewData runId={approval.runId} nodeId={approval.nodeId} data={approval.data} />
        </div>
        {canDecide ? (
          <DecisionForm approvalId={approval.id} formSchema={approval.formSchema} />
        ) : (
          <p className="text-sm text-fg-muted">
            Only its assignees and editors can decide this request.
          </p>
        )}
      </CardContent>
    </Card>
  );
}
