import { and, eq } from "@runnel/db";

import type { StoredEvent } from "../../protocol";
import type { OpHandler } from "./types";
import { ulid } from "../../ids";
import { internalEvents } from "../../internal-events";
import { planStep } from "../../planned-steps";
import { InvokeOpts, parseDuration } from "../../protocol";
import { steps } from "../../schema";
import { failOnBadStep, noProgress } from "./types";

/**
 * InvokeFunction: starts a child run (its end resolves the step, see RunLifecycle.finishRun) and, with a
 * timeout, an invoke-timeout job. A child that cannot start fails the step at once.
 */
export const invokeFunction: OpHandler = async (deps, ctx, op) => {
  const { r, lifecycle } = deps;
  const { tx, run } = ctx;
  const opts = InvokeOpts.safeParse(op.opts ?? {});
  if (!opts.success) {
    return failOnBadStep(
      deps,
      ctx,
      `step "${op.displayName ?? op.id}": invalid invoke options: ${opts.error.message}`,
    );
  }
  if (!(await planStep(tx, run.id, op, "invoking"))) return noProgress;
  const meta = { id: op.id, name: op.name, displayName: op.displayName };
  // The step fails at once (its result is the error), so the function can handle it.
  const failInvoke = async (message: string) => {
    await lifecycle.saveResult(
      tx,
      run.id,
      { ...meta, op: "InvokeFunction", status: "failed" },
      { error: { name: "Error", message } },
    );
    return { progressed: true };
  };
  const target = r.registry.get(opts.data.function_id);
  if (!target) {
    return failInvoke(
      `invoked function "${opts.data.function_id}" is not registered with the executor`,
    );
  }
  const data = opts.data.payload?.data;
  const event: StoredEvent = {
    id: ulid(),
    name: internalEvents.invoked,
    data: data && typeof data === "object" ? (data as Record<string, unknown>) : {},
    ts: Date.now(),
  };
  const childId = await lifecycle.createRun(tx, target, event, { runId: run.id, stepId: op.id });
  if (!childId) {
    return failInvoke(
      `invoked function "${target.id}" did not start: its idempotency key was already used`,
    );
  }
  await tx
    .update(steps)
    .set({ opts: { ...op.opts, child_run_id: childId } })
    .where(and(eq(steps.runId, run.id), eq(steps.id, op.id)));
  const timeout = opts.data.timeout ? parseDuration(opts.data.timeout) : undefined;
  if (timeout !== undefined) {
    await lifecycle.insertJob(tx, {
      key: `invoke-timeout:${run.id}:${op.id}`,
      kind: "invoke-timeout",
      runId: run.id,
      stepId: op.id,
      dueAt: new Date(Date.now() + timeout),
    });
  }
  return noProgress;
};
