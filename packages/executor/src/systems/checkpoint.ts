import { and, eq } from "@runnel/db";

import type { RunLifecycle } from "./lifecycle";
import type { ExecutorResources } from "./resources";
import { CheckpointBody } from "../protocol";
import { jobs } from "../schema";
import { CheckpointWriter } from "./checkpoint-writer";

export interface CheckpointAnswer {
  status: 200 | 400 | 409;
  error?: string;
}

/** Async checkpointing: steps the SDK ran inside a request, stored before the SDK goes on (docs/executor.md). */
export class Checkpoints {
  private readonly writer: CheckpointWriter;

  constructor(
    private readonly r: ExecutorResources,
    private readonly lifecycle: RunLifecycle,
  ) {
    this.writer = new CheckpointWriter(r);
  }

  /**
   * POST /v1/checkpoint/:runId/async: the SDK reports steps it ran inside a request it is still serving. They
   * are written before the answer (CheckpointWriter), in one statement that also proves the request is current: its job
   * (`qi_id` = job id @ worker) must still be leased to that worker, and the run must be running. 200 = stored;
   * 409 = stale (the lease was lost or the run ended): the SDK stops, and the worker ignores the request's answer.
   */
  async checkpoint(runId: string, input: unknown): Promise<CheckpointAnswer> {
    const parsed = CheckpointBody.safeParse(input);
    if (!parsed.success) {
      return {
        status: 400,
        error: `invalid checkpoint for run ${runId}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
      };
    }
    const at = parsed.data.qi_id.indexOf("@");
    const jobId = Number(parsed.data.qi_id.slice(0, at));
    const owner = parsed.data.qi_id.slice(at + 1);
    if (at <= 0 || !Number.isSafeInteger(jobId)) {
      return { status: 400, error: `invalid checkpoint for run ${runId}: unknown qi_id` };
    }
    const unsupported = parsed.data.steps.filter((op) => op.op !== "StepRun");
    if (unsupported.length > 0) {
      // Same outcome as the opcode arriving in a 206 answer: the run fails naming it.
      await this.r.store.tx(async (tx) => {
        const rows = await tx
          .delete(jobs)
          .where(and(eq(jobs.id, jobId), eq(jobs.leaseOwner, owner), eq(jobs.runId, runId)))
          .returning({ id: jobs.id });
        const run = rows.length > 0 ? await this.lifecycle.runRow(tx, runId) : undefined;
        if (!run || run.status !== "running") return;
        await this.lifecycle.finishRun(tx, run, {
          status: "failed",
          error: {
            name: "UnsupportedOpcodeError",
            message: `the Runnel executor does not support opcode ${[...new Set(unsupported.map((op) => op.op))].join(", ")} (step ${unsupported.map((op) => op.displayName ?? op.id).join(", ")})`,
          },
        });
      });
      this.r.wake.wake();
      return { status: 409, error: `run ${runId} failed: unsupported opcode in checkpoint` };
    }
    const owned = await this.writer.write({
      runId,
      jobId,
      owner,
      steps: parsed.data.steps.map((op) => ({
        id: op.id,
        name: op.name ?? null,
        displayName: op.displayName ?? null,
        data: op.data ?? null,
      })),
    });
    if (!owned) {
      return {
        status: 409,
        error: `run ${runId}: the request is no longer current (lease lost or run ended)`,
      };
    }
    return { status: 200 };
  }
}
