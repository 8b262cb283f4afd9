import type { Database } from "@runnel/db";
import { writeAudit } from "@runnel/auth";
import { eq } from "@runnel/db";
import { orgs, runs } from "@runnel/db/schema";
import { getRunWithSteps, startRun } from "@runnel/engine";

import type { RunsBackend } from "./runs-backend";
import { runDetailView } from "../rest/handler";
import { checkRunInput, deployedFlowOrProblem } from "../rest/start";
import { CliError } from "./errors";

/**
 * `runs` on the app database. A run is committed with its start request (the outbox, docs/runtime.md "Start
 * requests"); the deployment's runtime — the server's dispatcher — delivers it to whatever executes runs there, so
 * the CLI needs no executor settings of its own.
 */
export function directRuns(db: Database, options: { orgSlug?: string }): RunsBackend {
  return {
    where: "the database",
    async start(flowName, input) {
      const { orgSlug } = options;
      if (!orgSlug) throw new Error("directRuns.start needs the org");
      const [org] = await db.select().from(orgs).where(eq(orgs.slug, orgSlug)).limit(1);
      if (!org)
        throw new CliError(`no org with the slug "${orgSlug}" (see "pnpm runnel orgs list")`);
      const flow = await deployedFlowOrProblem(db, org.id, flowName);
      checkRunInput(flow, input, "--input");
      const { run } = await startRun({
        db,
        orgId: org.id,
        versionId: flow.versionId,
        input,
        trigger: {
          kind: "api",
          info: { via: "cli", deploymentId: flow.deploymentId },
          ...(flow.triggerNodeId ? { nodeId: flow.triggerNodeId } : {}),
        },
      });
      await writeAudit(db, {
        action: "run.started",
        orgId: org.id,
        targetType: "run",
        targetId: run.id,
        metadata: {
          flowId: flow.flowId,
          flowVersionId: flow.versionId,
          trigger: "api",
          via: "cli",
        },
      });
      return { id: run.id, status: run.status };
    },
    async get(id) {
      const [owner] = await db
        .select({ orgId: runs.orgId })
        .from(runs)
        .where(eq(runs.id, id))
        .limit(1);
      if (!owner) return undefined;
      const found = await getRunWithSteps(db, owner.orgId, id);
      return found ? runDetailView(found) : undefined;
    },
  };
}
