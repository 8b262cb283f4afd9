import { eq } from "@runnel/db";

import type { OutgoingOp } from "../../protocol";
import type { RunLifecycle } from "../lifecycle";
import type { ExecutorResources } from "../resources";
import type { Retries } from "../retries";
import type { Continuation } from "../types";
import type { AddedResult, OpContext, OpDeps, OpHandler } from "./types";
import { supportedOpcodes } from "../../protocol";
import { runs } from "../../schema";
import { invokeFunction } from "./invoke-function";
import { runComplete } from "./run-complete";
import { sleep } from "./sleep";
import { stepError } from "./step-error";
import { stepPlanned } from "./step-planned";
import { stepRun } from "./step-run";
import { waitForEvent } from "./wait-for-event";

type SupportedOpcode = (typeof supportedOpcodes)[number];

const handlers: Record<SupportedOpcode, OpHandler> = {
  StepRun: stepRun,
  StepError: stepError,
  StepFailed: stepError,
  StepPlanned: stepPlanned,
  Sleep: sleep,
  WaitForEvent: waitForEvent,
  InvokeFunction: invokeFunction,
  RunComplete: runComplete,
};

const isSupported = (op: OutgoingOp): op is OutgoingOp & { op: SupportedOpcode } =>
  (supportedOpcodes as readonly string[]).includes(op.op);

/**
 * Applies the opcodes of a 206 answer, one handler per opcode. When a step got its result the run continues:
 * a sequential run in this worker at once (its next call leased to it), otherwise through the queue.
 */
export class OpcodeHandlers {
  private readonly deps: OpDeps;

  constructor(
    private readonly r: ExecutorResources,
    private readonly systems: { lifecycle: RunLifecycle; retries: Retries },
  ) {
    this.deps = { r, lifecycle: systems.lifecycle };
  }

  async apply(ctx: OpContext, ops: OutgoingOp[]): Promise<Continuation | undefined> {
    const { lifecycle, retries } = this.systems;
    const { tx, job } = ctx;
    let { run } = ctx;
    const unsupported = ops.filter((op) => !isSupported(op));
    if (unsupported.length > 0) {
      const names = [...new Set(unsupported.map((op) => op.op))].join(", ");
      await lifecycle.finishRun(tx, run, {
        status: "failed",
        error: {
          name: "UnsupportedOpcodeError",
          message: `the Runnel executor does not support opcode ${names} (step ${unsupported.map((op) => op.displayName ?? op.id).join(", ")})`,
        },
      });
      return undefined;
    }
    const single = ops.length === 1 ? ops[0] : undefined;
    if (
      single?.op === "StepError" &&
      (await retries.retryStep(tx, run, job, single, ctx.headers, ctx.startedAt))
    )
      return undefined;

    // Several steps found at once (parallel): from now on each runs in its own request. Steps that already ran
    // (StepRun, returned with RunComplete or after a failed checkpoint) do not count.
    const found = ops.filter((op) => op.op !== "StepRun" && op.op !== "RunComplete");
    if (found.length > 1 && !run.disableImmediate) {
      await tx.update(runs).set({ disableImmediate: true }).where(eq(runs.id, run.id));
      run = { ...run, disableImmediate: true };
    }
    let progressed = false;
    let added: AddedResult | undefined;
    for (const op of ops) {
      if (!isSupported(op)) continue;
      const outcome = await handlers[op.op](this.deps, { ...ctx, run }, op);
      if (outcome.ended) return undefined;
      if (outcome.progressed) {
        progressed = true;
        added = outcome.added ?? added;
      }
    }
    if (!progressed) return undefined;
    // A step finished: let the function discover what comes next. A run without parallel steps has no other
    // job in flight, so this worker continues it right away instead of going through the queue.
    const sequentialNext = ops.length === 1;
    const leaseTo =
      sequentialNext && added && !run.disableImmediate && this.r.worker.running
        ? this.r.settings.workerId
        : undefined;
    const nextJob = await lifecycle.scheduleDiscovery(tx, run, leaseTo);
    return leaseTo && nextJob && added ? { job: nextJob, added } : undefined;
  }
}
