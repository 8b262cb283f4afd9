import type { OpHandler } from "./types";
import { planStep } from "../../planned-steps";
import { parseDuration, WaitForEventOpts } from "../../protocol";
import { waits } from "../../schema";
import { failOnBadStep, noProgress } from "./types";

/** WaitForEvent: a wait row the ingest matches incoming events against, and a timeout job (→ null). */
export const waitForEvent: OpHandler = async (deps, ctx, op) => {
  const { tx, run } = ctx;
  const opts = WaitForEventOpts.safeParse(op.opts ?? {});
  const timeout = opts.success ? parseDuration(opts.data.timeout) : undefined;
  if (!opts.success || timeout === undefined || !op.name) {
    return failOnBadStep(
      deps,
      ctx,
      `step "${op.displayName ?? op.id}": invalid waitForEvent options ${JSON.stringify(op.opts)}`,
    );
  }
  if (await planStep(tx, run.id, op, "waiting")) {
    const expiresAt = new Date(Date.now() + timeout);
    await tx.insert(waits).values({
      runId: run.id,
      kind: "event",
      stepId: op.id,
      eventName: op.name,
      expression: opts.data.if ?? null,
      expiresAt,
    });
    deps.r.waitedEventNames.add(op.name);
    await deps.lifecycle.insertJob(tx, {
      key: `wait-timeout:${run.id}:${op.id}`,
      kind: "wait-timeout",
      runId: run.id,
      stepId: op.id,
      dueAt: expiresAt,
    });
  }
  return noProgress;
};
