import { startTestRun } from "@runnel/engine";

import type { EngineDeps } from "../../trpc";
import type { RunsCtx } from "./shared";
import type { TestRunInput } from "./test.schema";
import { actorFields } from "../../trpc";
import { compileForOrg, loadFlow, problemsOf } from "../flows/shared";
import { draftDoesNotCompile, mapStartErrors, startedRun } from "./shared";

/**
 * Compiles the flow's current draft (every problem → BAD_REQUEST, nothing stored), snapshots it as a test version
 * and starts a manual run of it marked as a test run.
 */
export async function startDraftTestRun(ctx: RunsCtx, engine: EngineDeps, input: TestRunInput) {
  const flow = await loadFlow(ctx.db, ctx.org.id, input.flowId);
  const compiled = await compileForOrg(ctx.db, ctx.org.id, flow.draft);
  if (!compiled.ok) throw draftDoesNotCompile(flow.name, problemsOf(compiled));
  const actor = actorFields(ctx.actor);
  const { run } = await mapStartErrors(() =>
    startTestRun({
      db: ctx.db,
      sendEvent: engine.sendEvent,
      bus: engine.bus,
      orgId: ctx.org.id,
      flowId: flow.id,
      definition: flow.draft,
      input: input.input,
      trigger: {
        kind: "manual",
        info: { userId: actor.actorUserId, apiKeyId: actor.actorApiKeyId, test: true },
      },
      ...(actor.actorUserId ? { createdBy: actor.actorUserId } : {}),
    }),
  );
  await ctx.audit(ctx.db, {
    action: "run.started",
    targetType: "run",
    targetId: run.id,
    metadata: { flowId: flow.id, flowVersionId: run.flowVersionId, trigger: "manual", test: true },
  });
  return startedRun(run, true);
}
