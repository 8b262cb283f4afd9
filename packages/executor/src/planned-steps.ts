import type { OutgoingOp } from "./protocol";
import type { StepStatus } from "./schema";
import type { Tx } from "./store";
import { steps } from "./schema";

/** Records a newly found step of a run; false when it was already planned (a concurrent discovery found it too). */
export async function planStep(
  tx: Tx,
  runId: string,
  op: OutgoingOp,
  status: StepStatus,
): Promise<boolean> {
  const rows = await tx
    .insert(steps)
    .values({
      runId,
      id: op.id,
      op: op.op,
      name: op.name ?? null,
      displayName: op.displayName ?? null,
      status,
      opts: op.opts ?? null,
      startedAt: new Date(),
    })
    .onConflictDoNothing()
    .returning({ id: steps.id });
  return rows.length > 0;
}
