import type { ApprovalStatus } from "@runnel/db/schema";

/** A run id that does not exist in the org (or at all): callers answer 404. */
export class RunNotFoundError extends Error {
  readonly runId: string;
  constructor(runId: string) {
    super(`Run ${runId} was not found in this org`);
    this.name = "RunNotFoundError";
    this.runId = runId;
  }
}

export class FlowVersionNotFoundError extends Error {
  readonly flowVersionId: string;
  constructor(flowVersionId: string) {
    super(`Flow version ${flowVersionId} was not found in this org`);
    this.name = "FlowVersionNotFoundError";
    this.flowVersionId = flowVersionId;
  }
}

export class BlobNotFoundError extends Error {
  readonly blobId: string;
  constructor(blobId: string) {
    super(`Stored value ${blobId} was not found in this org`);
    this.name = "BlobNotFoundError";
    this.blobId = blobId;
  }
}

export class ApprovalNotFoundError extends Error {
  readonly approvalId: string;
  constructor(approvalId: string) {
    super(`Approval ${approvalId} was not found in this org`);
    this.name = "ApprovalNotFoundError";
    this.approvalId = approvalId;
  }
}

/** A decision on an approval that was already approved, rejected or timed out: decisions are single-shot. */
export class ApprovalAlreadyDecidedError extends Error {
  readonly approvalId: string;
  readonly status: ApprovalStatus;
  readonly decidedAt: Date | null;
  constructor(approvalId: string, status: ApprovalStatus, decidedAt: Date | null) {
    const when = decidedAt ? ` at ${decidedAt.toISOString()}` : "";
    super(
      `Approval ${approvalId} was already decided (${status}${when}); a decision cannot be changed`,
    );
    this.name = "ApprovalAlreadyDecidedError";
    this.approvalId = approvalId;
    this.status = status;
    this.decidedAt = decidedAt;
  }
}

/** A decision after `expires_at`: the approval is timing out and routes to its `timeout` port instead. */
export class ApprovalExpiredError extends Error {
  readonly approvalId: string;
  readonly expiresAt: Date;
  constructor(approvalId: string, expiresAt: Date) {
    super(
      `Approval ${approvalId} expired at ${expiresAt.toISOString()} and can no longer be decided`,
    );
    this.name = "ApprovalExpiredError";
    this.approvalId = approvalId;
    this.expiresAt = expiresAt;
  }
}
