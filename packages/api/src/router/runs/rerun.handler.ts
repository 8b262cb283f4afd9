import { TRPCError } from "@trpc/server";

import { getRun, startRerun } from "@runnel/engine";

import type { EngineDeps } from "../../trpc";
import type { RerunFromInput } from "./rerun.schema";
import type { RunsCtx } from "./shared";
import { actorFields } from "../../trpc";
import { compileForOrg, loadFlow, problemsOf } from "../flows/shared";
import { versionOf } from "../runs.handler";
import { draftDoesNotCompile, mapStartErrors, startedRun } from "./shared";

/**
 * Starts a new run of an earlier run's version (or, with `draft`, of a test snapshot of the flow's current draft)
 * with the earlier input, executing `nodeId` and everything reachable from it and reusing the other nodes'
 * outputs. Everything is checked before anything is stored: a foreign run id is NOT_FOUND, an unknown node or an
 * upstream node without output BAD_REQUEST.
 */
export async function rerunFromNode(ctx: RunsCtx, engine: EngineDeps, input: RerunFromInput) {
  const earlier = await getRun(ctx.db, ctx.org.id, input.runId);
  if (!earlier) {
    throw new TRPCError({
      code: "NOT_FOUND",
      message: `Run ${input.runId} was not found in this org`,
    });
  }
  // A run of a deleted flow is not rerun (NOT_FOUND, as runs.start of that flow would be).
  const flow = await loadFlow(ctx.db, ctx.org.id, earlier.flowId);
  let draft: { definition: unknown } | undefined;
  if (input.draft) {
    const compiled = await compileForOrg(ctx.db, ctx.org.id, flow.draft);
    if (!compiled.ok) throw draftDoesNotCompile(flow.name, problemsOf(compiled));
    draft = { definition: flow.draft };
  }
  const actor = actorFields(ctx.actor);
  const { run } = await mapStartErrors(() =>
    startRerun({
      db: ctx.db,
      sendEvent: engine.sendEvent,
      bus: engine.bus,
      orgId: ctx.org.id,
      runId: earlier.id,
      nodeId: input.nodeId,
      ...(draft ? { draft } : {}),
      info: { userId: actor.actorUserId, apiKeyId: actor.actorApiKeyId },
      ...(actor.actorUserId ? { createdBy: actor.actorUserId } : {}),
    }),
  );
  await ctx.audit(ctx.db, {
    action: "run.started",
    targetType: "run",
    targetId: run.id,
    metadata: {
      flowId: run.flowId,
      flowVersionId: run.flowVersionId,
      trigger: run.triggerKind,
      rerunOf: { runId: earlier.id, nodeId: input.nodeId },
      test: input.draft || undefined,
    },
  });
  const { test } = await versionOf(ctx.db, ctx.org.id, run.flowVersionId);
  return startedRun(run, test);
}
