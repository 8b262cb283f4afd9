import type { MemoEntry, OutgoingOp } from "../../protocol";
import type { JobRow } from "../../queue";
import type { Tx } from "../../store";
import type { RunLifecycle } from "../lifecycle";
import type { ExecutorResources } from "../resources";
import type { RunRow } from "../types";

/** The call whose answer is being applied, inside the transaction that took its job. */
export interface OpContext {
  tx: Tx;
  run: RunRow;
  job: JobRow;
  headers: Headers;
  startedAt: Date;
}

/** A step result written by an opcode (the worker may continue the run with it). */
export interface AddedResult {
  id: string;
  entry: MemoEntry;
}

/** `ended`: the opcode ended the run; `progressed`: a step got its result, so the run goes on. */
export type OpOutcome =
  { ended: true } | { ended?: false; progressed: boolean; added?: AddedResult };

export interface OpDeps {
  r: ExecutorResources;
  lifecycle: RunLifecycle;
}

export type OpHandler = (deps: OpDeps, ctx: OpContext, op: OutgoingOp) => Promise<OpOutcome>;

export const noProgress: OpOutcome = { progressed: false };

/** Fails the run with a ProtocolError about one step (the SDK sent options the executor cannot read). */
export async function failOnBadStep(
  deps: OpDeps,
  ctx: OpContext,
  message: string,
): Promise<OpOutcome> {
  await deps.lifecycle.finishRun(ctx.tx, ctx.run, {
    status: "failed",
    error: { name: "ProtocolError", message },
  });
  return { ended: true };
}

/** Memoizes a StepRun's entry (completed or failed) unless a result is already recorded. */
export async function memoizeStepRun(
  { lifecycle }: OpDeps,
  { tx, run, job, startedAt }: OpContext,
  op: OutgoingOp,
  status: "completed" | "failed",
  entry: MemoEntry,
): Promise<OpOutcome> {
  const written = await lifecycle.saveResult(
    tx,
    run.id,
    {
      id: op.id,
      name: op.name,
      displayName: op.displayName,
      op: "StepRun",
      status,
      attempts: job.attempt + 1,
      startedAt,
    },
    entry,
  );
  return written ? { progressed: true, added: { id: op.id, entry } } : noProgress;
}
