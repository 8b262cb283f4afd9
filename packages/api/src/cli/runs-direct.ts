import { Inngest } from "inngest";

import type { Database } from "@runnel/db";
import type { SendEvent } from "@runnel/engine";
import { writeAudit } from "@runnel/auth";
import { eq } from "@runnel/db";
import { orgs, runs } from "@runnel/db/schema";
import { getRunWithSteps, startRun } from "@runnel/engine";

import type { CliEnv } from "./env";
import type { RunsBackend } from "./runs-backend";
import { runDetailView } from "../rest/handler";
import { checkRunInput, deployedFlowOrProblem } from "../rest/start";
import { CliError } from "./errors";

/** INNGEST_DEV as the server reads it: "0"/"false" off, anything else (1, true, a URL) on. */
function devOn(value: string | undefined): boolean {
  return value !== undefined && value !== "0" && value.toLowerCase() !== "false";
}

/**
 * The executor the deployment's server sends run events to, when it is not the server's built-in one: the same
 * INNGEST_* settings and client options as apps/web/src/server/engine.ts. Undefined when none is set (the server
 * runs the built-in executor in its own process, which nothing else can reach).
 */
export function executorSender(env: CliEnv["inngest"]): SendEvent | undefined {
  const dev = env.dev;
  if (!env.eventKey && !env.signingKey && !env.baseUrl && !devOn(dev)) return undefined;
  const devUrl = dev && /^https?:\/\//.test(dev) ? dev : undefined;
  const baseUrl = env.baseUrl ?? devUrl;
  const quiet = () => undefined;
  const inngest = new Inngest({
    id: "runnel",
    logger: { info: quiet, debug: quiet, warn: quiet, error: quiet },
    ...(env.eventKey ? { eventKey: env.eventKey } : {}),
    ...(baseUrl ? { baseUrl } : {}),
    ...(dev !== undefined ? { isDev: devOn(dev) } : {}),
  });
  return async (event) => {
    try {
      return await inngest.send(event);
    } catch (error) {
      throw new CliError(
        `the run was created but its event could not be sent to the executor${baseUrl ? ` at ${baseUrl}` : ""}: ` +
          `${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };
}

/** `runs` on the app database, sending run events to the deployment's executor (`sendEvent`). */
export function directRuns(
  db: Database,
  options: { orgSlug?: string; sendEvent?: SendEvent },
): RunsBackend {
  return {
    where: "the database",
    async start(flowName, input) {
      const { orgSlug, sendEvent } = options;
      if (!orgSlug || !sendEvent) throw new Error("directRuns.start needs the org and a sender");
      const [org] = await db.select().from(orgs).where(eq(orgs.slug, orgSlug)).limit(1);
      if (!org)
        throw new CliError(`no org with the slug "${orgSlug}" (see "pnpm runnel orgs list")`);
      const flow = await deployedFlowOrProblem(db, org.id, flowName);
      checkRunInput(flow, input, "--input");
      const { run } = await startRun({
        db,
        sendEvent,
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
