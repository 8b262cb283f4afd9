import type { Database } from "@runnel/db";
import type { NodeCatalogue } from "@runnel/nodes";
import { and, eq } from "@runnel/db";
import { credentials, flows, flowVersions } from "@runnel/db/schema";
import { catalogue as builtInCatalogue } from "@runnel/nodes";

import type { Problem } from "../compiler";
import type { RunEventPublisher } from "../runs/run-store";
import type { CreatedRun, Run } from "../runs/store";
import type { SendEvent } from "./events";
import type { RunTrigger, StartedRun } from "./starter";
import { compileFlow } from "../compiler";
import { listAvailableFlows } from "../flow/available";
import { FlowDefinition } from "../flow/definition";
import { FlowVersionNotFoundError, RunNotFoundError } from "../runs/errors";
import { createRun, getRun, getStepOutcomes } from "../runs/store";
import { RUN_REQUESTED_EVENT } from "./events";
import { planRerun, RerunNodeError } from "./rerun";
import { START_REQUEST_GRACE_MS } from "./starter";

/** The flow a test run or rerun should run does not compile (e.g. a credential it uses was deleted). */
export class FlowCompileProblemsError extends Error {
  readonly problems: Problem[];

  constructor(what: string, problems: Problem[]) {
    super(
      `${what} does not compile: ${problems.map((p) => `${p.nodeId ?? "flow"}: ${p.message}`).join("; ")}`,
    );
    this.name = "FlowCompileProblemsError";
    this.problems = problems;
  }
}

interface Starting {
  db: Database;
  sendEvent: SendEvent;
  bus?: RunEventPublisher;
  orgId: string;
}

/**
 * Stores `definition` as an immutable test snapshot of the flow (a flow_versions row of kind `test`, number 0:
 * never listed, deployed or picked as the latest version). The definition must already have compiled.
 */
async function insertTestSnapshot(
  db: Database,
  orgId: string,
  flowId: string,
  definition: unknown,
  authorId: string | undefined,
): Promise<string> {
  const [flow] = await db
    .select({ id: flows.id })
    .from(flows)
    .where(and(eq(flows.id, flowId), eq(flows.orgId, orgId)));
  if (!flow) throw new Error(`Flow ${flowId} was not found in this org`);
  const [row] = await db
    .insert(flowVersions)
    .values({
      flowId,
      orgId,
      kind: "test",
      number: 0,
      definition: FlowDefinition.parse(definition),
      message: "test run of the draft",
      authorId: authorId ?? null,
    })
    .returning({ id: flowVersions.id });
  if (!row) throw new Error(`Storing a test snapshot of flow ${flowId} returned no row`);
  return row.id;
}

/** The run's start request is due for the dispatcher once the immediate send below has had its grace. */
const startRequestDue = () => new Date(Date.now() + START_REQUEST_GRACE_MS);

/** Commits the run with its start request, publishes its `run.queued` and asks the executor to run it. */
async function launch(
  options: Starting,
  create: (tx: Database) => Promise<CreatedRun>,
): Promise<StartedRun> {
  const { run, events } = await options.db.transaction((tx) => create(tx));
  if (options.bus && events.length > 0) await options.bus.publish(events);
  await options.sendEvent({
    id: `run-${run.id}`,
    name: RUN_REQUESTED_EVENT,
    data: { runId: run.id, orgId: options.orgId },
  });
  return { run, created: true };
}

export interface StartTestRunOptions extends Starting {
  flowId: string;
  /** The draft to snapshot; the caller has compiled it (compile problems are the caller's to report). */
  definition: unknown;
  input: unknown;
  trigger: RunTrigger;
  createdBy?: string;
}

/** Snapshots a draft as a test version and starts a run of it, in one transaction (no snapshot without its run). */
export function startTestRun(options: StartTestRunOptions): Promise<StartedRun> {
  const { orgId, trigger } = options;
  return launch(options, async (tx) => {
    const versionId = await insertTestSnapshot(
      tx,
      orgId,
      options.flowId,
      options.definition,
      options.createdBy,
    );
    return createRun(tx, orgId, {
      flowVersionId: versionId,
      triggerKind: trigger.kind,
      triggerInfo: {
        ...(trigger.info ?? {}),
        ...(trigger.nodeId ? { nodeId: trigger.nodeId } : {}),
      },
      input: options.input,
      ...(options.createdBy ? { createdBy: options.createdBy } : {}),
      dispatchAt: startRequestDue(),
    });
  });
}

export interface StartRerunOptions extends Starting {
  /** The earlier run. */
  runId: string;
  /** The node to execute again, with everything reachable from it. */
  nodeId: string;
  /** Run this draft (snapshotted as a test version) instead of the earlier run's version. */
  draft?: { definition: unknown };
  /** Kept in the new run's trigger_info (who asked). */
  info?: Record<string, unknown>;
  createdBy?: string;
  catalogue?: NodeCatalogue;
}

/** The earlier run's flow definition: its pinned version's. */
async function versionDefinition(db: Database, orgId: string, run: Run): Promise<unknown> {
  const [version] = await db
    .select({ definition: flowVersions.definition })
    .from(flowVersions)
    .where(and(eq(flowVersions.id, run.flowVersionId), eq(flowVersions.orgId, orgId)));
  if (!version) throw new FlowVersionNotFoundError(run.flowVersionId);
  return version.definition;
}

/**
 * Starts a rerun of an earlier run from one of its nodes (docs/runtime.md, Rerun from a node): same version (or a
 * test snapshot of `draft`), same trigger kind, trigger node and input; nodes not reachable from `nodeId` reuse
 * the earlier run's outcomes when the run executes. Everything is checked before anything is written:
 * RunNotFoundError (the earlier run is not in the org), FlowCompileProblemsError, RerunNodeError.
 */
export async function startRerun(options: StartRerunOptions): Promise<StartedRun> {
  const { db, orgId } = options;
  const earlier = await getRun(db, orgId, options.runId);
  if (!earlier) throw new RunNotFoundError(options.runId);
  const definition = options.draft
    ? options.draft.definition
    : await versionDefinition(db, orgId, earlier);
  const available = await db
    .select({ id: credentials.id, type: credentials.type })
    .from(credentials)
    .where(eq(credentials.orgId, orgId));
  const compiled = compileFlow(definition, {
    catalogue: options.catalogue ?? builtInCatalogue,
    credentials: available,
    flows: await listAvailableFlows(db, orgId),
  });
  if (!compiled.ok)
    throw new FlowCompileProblemsError(
      options.draft ? "the draft" : `the version of run ${earlier.id}`,
      compiled.problems,
    );
  const plan = compiled.plan;
  const outcomes = (await getStepOutcomes(db, orgId, earlier.id)) ?? {};
  planRerun(plan, options.nodeId, outcomes);
  const recorded = earlier.triggerInfo.nodeId;
  const triggerNodeId =
    typeof recorded === "string" && plan.triggers.includes(recorded)
      ? recorded
      : plan.triggers.find((id) => outcomes[id]?.status === "succeeded");
  if (triggerNodeId === undefined)
    throw new RerunNodeError(
      options.nodeId,
      "no_output",
      `run ${earlier.id} has no trigger node that fired in this flow, so there is nothing to rerun from`,
    );
  const rerunOf = { runId: earlier.id, nodeId: options.nodeId };
  return launch(options, async (tx) => {
    const versionId = options.draft
      ? await insertTestSnapshot(tx, orgId, earlier.flowId, definition, options.createdBy)
      : earlier.flowVersionId;
    return createRun(tx, orgId, {
      flowVersionId: versionId,
      triggerKind: earlier.triggerKind,
      triggerInfo: { ...(options.info ?? {}), nodeId: triggerNodeId, rerunOf },
      input: earlier.input,
      rerunOfRunId: rerunOf.runId,
      rerunFromNodeId: rerunOf.nodeId,
      ...(options.createdBy ? { createdBy: options.createdBy } : {}),
      dispatchAt: startRequestDue(),
    });
  });
}
