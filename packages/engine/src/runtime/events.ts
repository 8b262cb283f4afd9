import { z } from "zod";

/** Starts (or resumes, when re-sent with the same id) the runFlow function for a queued run. */
export const RUN_REQUESTED_EVENT = "runnel/run.requested";
/** Cancels a running run (cancelOn of runFlow matches `data.runId`). */
export const RUN_CANCEL_EVENT = "runnel/run.cancel";
/** Resumes the run waiting at an approval node (matched on `data.approvalId`). */
export const APPROVAL_DECIDED_EVENT = "runnel/approval.decided";

export const RunRequestedData = z.object({ runId: z.string().min(1), orgId: z.string().min(1) });
export type RunRequestedData = z.infer<typeof RunRequestedData>;

export const RunCancelData = z.object({
  runId: z.string().min(1),
  orgId: z.string().min(1),
  reason: z.string().optional(),
});
export type RunCancelData = z.infer<typeof RunCancelData>;

export const ApprovalDecidedData = z.object({
  approvalId: z.string().min(1),
  runId: z.string().min(1),
  orgId: z.string().min(1),
  decision: z.enum(["approved", "rejected"]),
});
export type ApprovalDecidedData = z.infer<typeof ApprovalDecidedData>;

/** An event as `inngest.send` takes it. `id` deduplicates: a second send with the same id starts nothing. */
export interface OutgoingEvent {
  name: string;
  data: Record<string, unknown>;
  id?: string;
}

/** Sends one event to Inngest or the local executor, e.g. `(event) => inngest.send(event)`. */
export type SendEvent = (event: OutgoingEvent) => Promise<unknown>;
