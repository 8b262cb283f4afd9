import type { VerifiedApiKey } from "@runnel/auth";
import type { Database } from "@runnel/db";
import type { Run } from "@runnel/engine";
import { writeAudit } from "@runnel/auth";
import { getRun, startRun, TERMINAL_RUN_STATUSES } from "@runnel/engine";

import type { EngineDeps } from "../trpc";
import type { DeployedFlow } from "./flows";
import { startIdempotently } from "../idempotency/guard";
import { RUN_START_SCOPE, runStartFingerprint } from "../idempotency/run-start";
import { watchRun } from "./wait";

export interface DeploymentRunRequest {
  orgId: string;
  /** The deployment to run; its input must already have been checked against its input schema. */
  flow: DeployedFlow;
  input: unknown;
  /** The API key the caller presented: kept on the run's trigger info and the audit row. */
  key: VerifiedApiKey;
  requestId: string;
  ip: string | null;
  /** Where the start came from, kept on the run's trigger info. */
  via: "rest" | "mcp";
  idempotencyKey?: string;
  /** How long to wait for the run to end, ms; 0 answers at once. */
  waitMs: number;
  /** The caller went away: stop waiting. */
  signal?: AbortSignal;
}

export interface DeploymentRun {
  /** The run as last read: ended when `ended`, else as it was when the wait stopped (or at start). */
  run: Run;
  created: boolean;
  /** An idempotency key named an earlier start: nothing new was started. */
  replayed: boolean;
  /** The run reached a terminal status within the wait. */
  ended: boolean;
}

/**
 * Starts a deployed flow's run as an API key (idempotently when a key is given), audits the start, and waits up to
 * `waitMs` for it to end. The one path behind REST `POST /flows/{idOrSlug}/runs` and MCP `tools/call`.
 */
export async function runDeployment(
  deps: { db: Database; engine: EngineDeps },
  request: DeploymentRunRequest,
): Promise<DeploymentRun> {
  const { db, engine } = deps;
  const { orgId, flow, input, key } = request;
  const { run, created, replayed } = await startIdempotently(
    db,
    request.idempotencyKey === undefined
      ? undefined
      : {
          orgId,
          scope: RUN_START_SCOPE,
          key: request.idempotencyKey,
          requestHash: runStartFingerprint(flow.flowId, undefined, input),
        },
    (runIdempotencyKey) =>
      startRun({
        db,
        sendEvent: engine.sendEvent,
        bus: engine.bus,
        orgId,
        versionId: flow.versionId,
        input,
        trigger: {
          kind: "api",
          info: {
            apiKeyId: key.id,
            deploymentId: flow.deploymentId,
            requestId: request.requestId,
            ...(request.via === "mcp" ? { via: "mcp" } : {}),
          },
          ...(flow.triggerNodeId ? { nodeId: flow.triggerNodeId } : {}),
        },
        ...(runIdempotencyKey ? { idempotencyKey: runIdempotencyKey } : {}),
        ...(key.createdBy ? { createdBy: key.createdBy } : {}),
      }),
  );
  if (created) {
    await writeAudit(db, {
      action: "run.started",
      orgId,
      actorUserId: key.createdBy,
      actorApiKeyId: key.id,
      ip: request.ip,
      requestId: request.requestId,
      targetType: "run",
      targetId: run.id,
      metadata: {
        flowId: flow.flowId,
        flowVersionId: flow.versionId,
        trigger: request.via === "mcp" ? "mcp" : "api",
      },
    });
  }
  if (request.waitMs <= 0) return { run, created, replayed, ended: false };
  if (!TERMINAL_RUN_STATUSES.has(run.status)) {
    const outcome = await watchRun(
      engine.bus,
      orgId,
      run.id,
      request.waitMs,
      () => undefined,
      request.signal,
    );
    if (outcome === "timeout") {
      return { run: (await getRun(db, orgId, run.id)) ?? run, created, replayed, ended: false };
    }
  }
  const latest = await getRun(db, orgId, run.id);
  if (latest && TERMINAL_RUN_STATUSES.has(latest.status))
    return { run: latest, created, replayed, ended: true };
  return { run, created, replayed, ended: false };
}
