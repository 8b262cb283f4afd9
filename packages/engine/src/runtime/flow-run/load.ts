import { eq } from "@runnel/db";
import { credentials } from "@runnel/db/schema";

import type { RunFlowResources } from "./resources";
import type { Loaded } from "./types";
import { TERMINAL_RUN_STATUSES } from "../../runs/store";
import { toJson } from "./context";
import { RunFailedError } from "./steps";

/**
 * The `load` step: reads the run, its pinned flow version and the org's credential ids/types, and marks the run
 * `running` (unless it had already ended).
 */
export async function loadRun(
  resources: RunFlowResources,
  orgId: string,
  runId: string,
): Promise<Loaded> {
  const { store, db } = resources;
  const run = await store.getRun(orgId, runId);
  if (!run) throw new RunFailedError(`run ${runId} was not found in org ${orgId}`);
  const version = await resources.loadVersion(orgId, run.flowVersionId);
  if (!version)
    throw new RunFailedError(`run ${runId}: flow version ${run.flowVersionId} was not found`);
  const available = await db
    .select({ id: credentials.id, type: credentials.type })
    .from(credentials)
    .where(eq(credentials.orgId, orgId));
  const finished = TERMINAL_RUN_STATUSES.has(run.status);
  const started = finished ? run : (await store.markRunStatus(orgId, runId, "running")).run;
  const info = run.triggerInfo;
  return {
    state: finished ? (run.status as "succeeded" | "failed" | "cancelled") : "run",
    ended:
      run.status === "failed"
        ? (run.error?.message ?? "the run failed")
        : finished
          ? toJson(run.outputBlobId ? { $runnelBlob: run.outputBlobId, bytes: 0 } : run.output)
          : null,
    flowVersionId: run.flowVersionId,
    definition: toJson(version.definition),
    flowId: run.flowId,
    flowVersion: version.number,
    input: run.inputBlobId ? { $runnelBlob: run.inputBlobId, bytes: 0 } : toJson(run.input),
    triggerKind: run.triggerKind,
    triggerNodeId: typeof info.nodeId === "string" ? info.nodeId : null,
    startedAt: (started.startedAt ?? run.createdAt).toISOString(),
    credentials: available,
    rerun:
      run.rerunOfRunId && run.rerunFromNodeId
        ? { runId: run.rerunOfRunId, nodeId: run.rerunFromNodeId }
        : null,
  };
}
