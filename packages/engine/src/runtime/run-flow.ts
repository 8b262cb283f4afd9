import type { Inngest } from "inngest";
import { NonRetriableError, referenceFunction } from "inngest";

import type { StoredError } from "@runnel/db/schema";
import type { JsonValue, NodeCatalogue, NodeDefinition, NodeDirective } from "@runnel/nodes";
import { and, eq } from "@runnel/db";
import { credentials, flowVersions } from "@runnel/db/schema";
import { catalogue as builtInCatalogue, isJsonValue } from "@runnel/nodes";

import type { CompileResult, ExecutionPlan, NodeOutcome, PlanNode } from "../compiler";
import type { ExpressionContext } from "../expressions";
import type { RunEventPublisher, RunStore } from "../runs/run-store";
import type { RecordStepFinishInput, RecordStepStartInput } from "../runs/store";
import type { ValueLimits } from "../runs/values";
import type { EngineServices } from "../services/node-context";
import type { ReusedOutcome } from "./rerun";
import { compileFlow, inputsFor, upstreamOutputs } from "../compiler";
import { resolveConfig } from "../expressions";
import { RunNotFoundError } from "../runs/errors";
import { createRunStore } from "../runs/run-store";
import { TERMINAL_RUN_STATUSES } from "../runs/store";
import { isBlobRef } from "../runs/values";
import { createNodeContext } from "../services/node-context";
import {
  APPROVAL_DECIDED_EVENT,
  RUN_CANCEL_EVENT,
  RUN_REQUESTED_EVENT,
  RunRequestedData,
} from "./events";
import { planRerun, RerunNodeError } from "./rerun";
import { advanceFrom, successorsOf } from "./schedule";
import { resolveFlowVersion } from "./starter";

/** The most retries a node may ask for (NodeSettings.retries); the function's step attempts are sized by it. */
export const MAX_NODE_RETRIES = 10;

/** Compiled plans kept per process (oldest dropped first). */
const PLAN_CACHE_SIZE = 200;
/** How long a node attempt may run before its `running` record is written on its own (see stepStart). */
const START_RECORD_DELAY_MS = 20;

export interface RunFlowDeps {
  /** The app's Inngest client (real Inngest, or pointed at the local executor). */
  inngest: Inngest.Any;
  /** Process-wide node services (database, SSRF-safe fetch, sandbox, AI settings). */
  services: EngineServices;
  /** Where committed run events are published for live streams. */
  bus?: RunEventPublisher;
  /** Node types available to flows (default: the built-in catalogue). */
  catalogue?: NodeCatalogue;
  /** Steps of one org executing at once (Inngest concurrency keyed by org). Default 10. */
  concurrencyPerOrg?: number;
  /** Inngest function id. Default "run-flow". */
  functionId?: string;
  limits?: ValueLimits;
  /**
   * An approval waits for its decision event at most this long before it rereads the approval row, so a decision
   * sent before the wait was registered is still seen. Default 60 000 ms.
   */
  approvalRecheckMs?: number;
}

/** What the runFlow function returns (and what a parent's step.invoke receives). */
export interface RunFlowResult {
  runId: string;
  status: "succeeded" | "cancelled";
  output: unknown;
}

type Fired = { status: "fired"; port: string; value: JsonValue };
type Failed = { status: "failed"; error: StoredError };
type NodeResult = Fired | Failed;

interface Loaded {
  /** "run" to execute; otherwise the run had already ended with this status (a repeated or late request). */
  state: "run" | "succeeded" | "failed" | "cancelled";
  /** With an ended run: its output, or its error message. */
  ended: JsonValue;
  flowVersionId: string;
  definition: JsonValue;
  flowId: string;
  flowVersion: number;
  input: JsonValue;
  triggerKind: string;
  triggerNodeId: string | null;
  startedAt: string;
  credentials: { id: string; type: string }[];
  /** A rerun: the earlier run and the node it executes again from (absent in results memoised before reruns). */
  rerun?: { runId: string; nodeId: string } | null;
}

/** The directives that need durable waiting after the node's first step. */
type Pending =
  | { kind: "sleep"; sleep: { durationMs: number } | { until: string }; then: Fired }
  | { kind: "approval"; approvalId: string; timeoutMs: number; data: JsonValue }
  | {
      kind: "invoke";
      childRunIds: string[];
      concurrency: number;
      continueOnItemError: boolean;
      loop: boolean;
      timeoutMs: number | null;
    };

type FirstStep = NodeResult | { status: "pending"; pending: Pending; attempt: number };

function storedError(error: unknown, nodeId: string): StoredError {
  if (error instanceof Error) return { message: error.message, name: error.name, nodeId };
  if (typeof error === "object" && error !== null) {
    const record = error as Record<string, unknown>;
    return {
      message: typeof record.message === "string" ? record.message : JSON.stringify(error),
      name: typeof record.name === "string" ? record.name : "Error",
      nodeId,
    };
  }
  return { message: String(error), name: "Error", nodeId };
}

/** A failure after the last attempt, routed by the node's onError setting. */
function onErrorOutcome(node: PlanNode, error: StoredError, attempts: number): NodeResult {
  const value: JsonValue = {
    error: { message: error.message, name: error.name ?? "Error", attempts },
  };
  switch (node.settings.onError) {
    case "fail":
      return { status: "failed", error };
    case "continue":
      return { status: "fired", port: node.continuePort, value };
    case "error_port":
      return { status: "fired", port: "error", value };
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number, nodeId: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`node ${nodeId} timed out after ${ms} ms`);
      error.name = "NodeTimeoutError";
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function toJson(value: unknown): JsonValue {
  return isJsonValue(value) ? value : null;
}

/** Fired nodes without outgoing edges: the run's output is the value of the one leaf, or `{ <leaf id>: value }`. */
function firedLeaves(
  plan: ExecutionPlan,
  settled: Readonly<Record<string, NodeOutcome>>,
): [string, JsonValue][] {
  const leaves: [string, JsonValue][] = [];
  for (const id of plan.order) {
    const node = plan.nodes[id];
    const outcome = settled[id];
    if (node === undefined || outcome?.status !== "fired") continue;
    if (Object.values(node.outputs).every((edges) => edges.length === 0))
      leaves.push([id, outcome.value]);
  }
  return leaves;
}

function pickTrigger(plan: ExecutionPlan, loaded: Loaded): string | undefined {
  const named = loaded.triggerNodeId;
  if (named !== null && plan.triggers.includes(named)) return named;
  const kinds =
    loaded.triggerKind === "subflow"
      ? ["manual", "api", "webhook", "schedule"]
      : [loaded.triggerKind];
  for (const kind of kinds) {
    const found = plan.triggers.find((id) => plan.nodes[id]?.trigger === kind);
    if (found !== undefined) return found;
  }
  return plan.triggers[0];
}

/**
 * Creates runFlow: the Inngest function that executes one run of a pinned flow version (DESIGN §4).
 * See docs/runtime.md for steps, retries, error handling, waits, approvals, sub-flows, loops and cancel.
 */
export function createRunFlowFunction(deps: RunFlowDeps) {
  const { inngest, services } = deps;
  const db = services.db;
  const catalogue = deps.catalogue ?? builtInCatalogue;
  const functionId = deps.functionId ?? "run-flow";
  const store: RunStore = createRunStore({
    db,
    ...(deps.bus ? { bus: deps.bus } : {}),
    ...(deps.limits ? { limits: deps.limits } : {}),
  });
  const self = referenceFunction({ functionId });
  // Every request replays the function, so plans are cached: a version is immutable, and the key includes the
  // org's credential ids and types that the compiler checked against.
  const plans = new Map<string, CompileResult>();
  const compileCached = (versionId: string, loaded: Loaded): CompileResult => {
    const key = `${versionId}|${loaded.credentials.map((c) => `${c.id}:${c.type}`).join(",")}`;
    let compiled = plans.get(key);
    if (!compiled) {
      compiled = compileFlow(loaded.definition, { catalogue, credentials: loaded.credentials });
      if (plans.size >= PLAN_CACHE_SIZE) plans.delete(plans.keys().next().value ?? "");
      plans.set(key, compiled);
    }
    return compiled;
  };

  // Published versions are immutable too (the database refuses updates): each one is read once per process.
  const versions = new Map<string, { definition: unknown; number: number }>();
  const loadVersion = async (orgId: string, versionId: string) => {
    const key = `${orgId}|${versionId}`;
    const cached = versions.get(key);
    if (cached) return cached;
    const [version] = await db
      .select({ definition: flowVersions.definition, number: flowVersions.number })
      .from(flowVersions)
      .where(and(eq(flowVersions.id, versionId), eq(flowVersions.orgId, orgId)));
    if (!version) return undefined;
    if (versions.size >= PLAN_CACHE_SIZE) versions.delete(versions.keys().next().value ?? "");
    versions.set(key, version);
    return version;
  };

  async function resolveDeep(orgId: string, value: unknown): Promise<JsonValue> {
    if (isBlobRef(value)) return toJson(await store.resolveValue(orgId, value));
    return toJson(value);
  }

  async function resolveRecord(
    orgId: string,
    record: Record<string, unknown>,
  ): Promise<Record<string, JsonValue>> {
    const out: Record<string, JsonValue> = {};
    for (const [key, value] of Object.entries(record)) out[key] = await resolveDeep(orgId, value);
    return out;
  }

  return inngest.createFunction(
    {
      id: functionId,
      name: "Run flow",
      retries: MAX_NODE_RETRIES,
      triggers: [{ event: RUN_REQUESTED_EVENT }],
      concurrency: { key: "event.data.orgId", limit: deps.concurrencyPerOrg ?? 10 },
      cancelOn: [{ event: RUN_CANCEL_EVENT, if: "event.data.runId == async.data.runId" }],
      onFailure: async ({ event, error }) => {
        const original = RunRequestedData.safeParse(
          (event.data as { event?: { data?: unknown } }).event?.data,
        );
        if (!original.success) return;
        try {
          await store.markRunStatus(original.data.orgId, original.data.runId, "failed", {
            error: { message: error.message, name: error.name },
          });
        } catch (markError) {
          // A run that does not exist (deleted, or a bad event) has nothing to mark.
          if (!(markError instanceof RunNotFoundError)) throw markError;
        }
      },
    },
    async ({ event, step, attempt }): Promise<RunFlowResult> => {
      const parsed = RunRequestedData.safeParse(event.data);
      if (!parsed.success)
        throw new NonRetriableError(
          `${RUN_REQUESTED_EVENT}: data needs runId and orgId (${parsed.error.message})`,
        );
      const { runId, orgId } = parsed.data;

      const loaded: Loaded = await step.run("load", async (): Promise<Loaded> => {
        const run = await store.getRun(orgId, runId);
        if (!run) throw new NonRetriableError(`run ${runId} was not found in org ${orgId}`);
        const version = await loadVersion(orgId, run.flowVersionId);
        if (!version)
          throw new NonRetriableError(
            `run ${runId}: flow version ${run.flowVersionId} was not found`,
          );
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
                ? toJson(
                    run.outputBlobId ? { $runnelBlob: run.outputBlobId, bytes: 0 } : run.output,
                  )
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
      });
      if (loaded.state === "failed")
        throw new NonRetriableError(
          `run ${runId} had already failed: ${typeof loaded.ended === "string" ? loaded.ended : "the run failed"}`,
        );
      if (loaded.state !== "run") return { runId, status: loaded.state, output: loaded.ended };

      const fail = async (error: StoredError, failedNodeId?: string): Promise<never> => {
        await step.run("finish", async () => {
          await store.markRunStatus(orgId, runId, "failed", {
            error,
            ...(failedNodeId ? { failedNodeId } : {}),
          });
        });
        throw new NonRetriableError(
          failedNodeId ? `node ${failedNodeId}: ${error.message}` : error.message,
        );
      };

      const compiled = compileCached(loaded.flowVersionId, loaded);
      if (!compiled.ok) {
        const detail = compiled.problems
          .map((p) => `${p.nodeId ?? "flow"}: ${p.message}`)
          .join("; ");
        return fail({
          message: `the flow version does not compile: ${detail}`,
          name: "FlowCompileError",
          code: "compile",
        });
      }
      const plan = compiled.plan;
      const startedBy = pickTrigger(plan, loaded);
      if (startedBy === undefined)
        return fail({ message: "the flow has no trigger node", name: "FlowCompileError" });

      const runInfo: Record<string, JsonValue> = {
        id: runId,
        flowId: loaded.flowId,
        flowVersion: loaded.flowVersion,
        orgId,
        startedAt: loaded.startedAt,
        triggerNodeId: startedBy,
      };

      /**
       * The `running` record of a node attempt, written late: a node that fires within START_RECORD_DELAY_MS
       * (Set, If, Respond…) records its start and its outcome in one transaction (recordStepRun); a slower one
       * records its start when the delay passes, while it runs, as before. Either way both are committed before the
       * step ends, i.e. before the executor stores the step's result.
       */
      function stepStart(nodeId: string, stepAttempt: number) {
        let pending: RecordStepStartInput | undefined;
        let began = 0;
        let written: Promise<unknown> | undefined;
        let timer: NodeJS.Timeout | undefined;
        const write = () => {
          clearTimeout(timer);
          if (!written && pending) written = store.recordStepStart(orgId, pending);
          return written;
        };
        return {
          begin(input: Record<string, unknown>) {
            pending = { runId, nodeId, attempt: stepAttempt, input };
            began = performance.now();
            // A failure here surfaces from flush(), which awaits the same promise.
            timer = setTimeout(() => void write()?.catch(() => undefined), START_RECORD_DELAY_MS);
          },
          /** Writes the start now unless it is written or being written, and waits for it. */
          async flush() {
            await write();
          },
          /** The start, when nothing wrote it yet: the caller writes it with the outcome. */
          take(): (RecordStepStartInput & { startedMsAgo: number }) | undefined {
            clearTimeout(timer);
            if (written || !pending) return undefined;
            written = Promise.resolve();
            return { ...pending, startedMsAgo: performance.now() - began };
          },
        };
      }
      type StepStart = ReturnType<typeof stepStart>;

      /** Runs a node's execute for one attempt: config resolution, validation, timeout, logs, usage. */
      async function attemptNode(
        node: PlanNode,
        definition: NodeDefinition,
        rawInputs: Record<string, unknown>,
        rawNodes: Record<string, unknown>,
        stepAttempt: number,
        start: StepStart,
      ): Promise<{ directive: NodeDirective; tokensIn: number; tokensOut: number }> {
        const triggerOutcome = settledNow[startedBy ?? ""];
        const context: ExpressionContext = {
          trigger:
            triggerOutcome?.status === "fired"
              ? await resolveDeep(orgId, triggerOutcome.value)
              : null,
          nodes: await resolveRecord(orgId, rawNodes),
          vars: plan.vars,
          run: runInfo,
        };
        const inputs: Record<string, unknown> = {};
        for (const [port, value] of Object.entries(rawInputs)) {
          const multiple = node.inputs[port]?.multiple === true;
          inputs[port] =
            multiple && value !== null && typeof value === "object"
              ? await resolveRecord(orgId, value as Record<string, unknown>)
              : await resolveDeep(orgId, value);
        }
        const ctx = createNodeContext({
          run: { runId, orgId, flowId: loaded.flowId, nodeId: node.id, attempt: stepAttempt },
          services,
        });
        start.begin(inputs);
        try {
          const event = node.kind === "trigger" ? await resolveDeep(orgId, loaded.input) : null;
          const directive = await withTimeout(
            (async () => {
              const config = resolveConfig(node.config, context, node.literalConfig);
              return definition.run({ config, inputs, ctx, event });
            })(),
            node.settings.timeoutMs,
            node.id,
          );
          return { directive, tokensIn: ctx.usage.inputTokens, tokensOut: ctx.usage.outputTokens };
        } finally {
          // Logs follow step.started.
          if (ctx.logs.length > 0) await start.flush();
          for (const [index, entry] of ctx.logs.entries()) {
            await store.appendRunEvent(orgId, {
              runId,
              type: "log",
              nodeId: node.id,
              payload: {
                level: entry.level,
                message: entry.message,
                ...(entry.data === undefined ? {} : { data: entry.data }),
              },
              dedupeKey: `log:${node.id}:${stepAttempt}:${index}`,
            });
          }
        }
      }

      async function succeed(
        nodeId: string,
        stepAttempt: number,
        fired: Fired,
        tokens: { tokensIn: number; tokensOut: number } = { tokensIn: 0, tokensOut: 0 },
        start?: StepStart,
      ): Promise<Fired> {
        const finish: RecordStepFinishInput = {
          runId,
          nodeId,
          attempt: stepAttempt,
          status: "succeeded",
          output: fired.value,
          port: fired.port,
          ...tokens,
        };
        const unwritten = start?.take();
        if (unwritten) await store.recordStepRun(orgId, unwritten, finish);
        else {
          await start?.flush();
          await store.recordStepFinish(orgId, finish);
        }
        return {
          status: "fired",
          port: fired.port,
          value: toJson(await store.offloadValue(orgId, runId, fired.value)),
        };
      }

      /** Starts the children of a sub-flow or loop node (idempotent per node and item). */
      async function createChildren(
        nodeId: string,
        flowId: string,
        version: number | undefined,
        inputs: JsonValue[],
        loop: boolean,
      ): Promise<string[]> {
        const target = await resolveFlowVersion(db, orgId, flowId, version);
        const ids: string[] = [];
        for (const [index, input] of inputs.entries()) {
          const { run } = await store.createRun(orgId, {
            flowVersionId: target.id,
            triggerKind: "subflow",
            triggerInfo: { parentRunId: runId, nodeId, ...(loop ? { index } : {}) },
            input,
            parentRunId: runId,
            idempotencyKey: loop
              ? `loop:${runId}:${nodeId}:${index}`
              : `subflow:${runId}:${nodeId}`,
          });
          ids.push(run.id);
        }
        return ids;
      }

      /** The node's first step: one attempt (retried by Inngest up to the node's retries), or the start of a wait. */
      async function firstStep(
        node: PlanNode,
        rawInputs: Record<string, unknown>,
        rawNodes: Record<string, unknown>,
        stepAttempt: number,
      ): Promise<FirstStep> {
        const definition = catalogue.get(node.type, node.version);
        if (!definition)
          return {
            status: "failed",
            error: {
              message: `node type ${node.type}@${node.version} is not available`,
              name: "UnknownNodeType",
              nodeId: node.id,
            },
          };
        let outcome: { directive: NodeDirective; tokensIn: number; tokensOut: number };
        const start = stepStart(node.id, stepAttempt);
        try {
          outcome = await attemptNode(node, definition, rawInputs, rawNodes, stepAttempt, start);
        } catch (error) {
          const stored = storedError(error, node.id);
          await start.flush();
          await store.recordStepFinish(orgId, {
            runId,
            nodeId: node.id,
            attempt: stepAttempt,
            status: "failed",
            error: stored,
          });
          if (stepAttempt < node.settings.retries) throw error;
          return onErrorOutcome(node, stored, stepAttempt + 1);
        }
        const { directive } = outcome;
        const tokens = { tokensIn: outcome.tokensIn, tokensOut: outcome.tokensOut };
        // Only a node that fired writes its start together with its outcome.
        if (directive.kind !== "emit" && directive.kind !== "respond") await start.flush();
        const waiting = async (reason: string) => {
          await store.upsertStep(orgId, {
            runId,
            nodeId: node.id,
            attempt: stepAttempt,
            status: "waiting",
            reason,
          });
          await store.markRunStatus(orgId, runId, "waiting", { reason: `${node.id}: ${reason}` });
        };
        switch (directive.kind) {
          case "emit":
            return succeed(
              node.id,
              stepAttempt,
              { status: "fired", port: directive.port, value: directive.value },
              tokens,
              start,
            );
          case "respond":
            return succeed(
              node.id,
              stepAttempt,
              { status: "fired", port: directive.then.port, value: directive.then.value },
              tokens,
              start,
            );
          case "sleep":
            await waiting("sleep");
            return {
              status: "pending",
              attempt: stepAttempt,
              pending: {
                kind: "sleep",
                sleep: directive.sleep,
                then: { status: "fired", port: directive.then.port, value: directive.then.value },
              },
            };
          case "approval": {
            const { request } = directive;
            const { approval } = await store.createApproval(orgId, {
              runId,
              nodeId: node.id,
              assignees: request.assignees,
              message: request.message,
              formSchema: request.form ?? null,
              data: request.data,
              expiresAt: new Date(Date.now() + request.timeoutMs),
            });
            await waiting("approval");
            return {
              status: "pending",
              attempt: stepAttempt,
              pending: {
                kind: "approval",
                approvalId: approval.id,
                timeoutMs: request.timeoutMs,
                data: request.data,
              },
            };
          }
          case "invoke": {
            const childRunIds = await createChildren(
              node.id,
              directive.flowId,
              directive.version,
              [directive.input],
              false,
            );
            await waiting("sub-flow");
            return {
              status: "pending",
              attempt: stepAttempt,
              pending: {
                kind: "invoke",
                childRunIds,
                concurrency: 1,
                continueOnItemError: false,
                loop: false,
                timeoutMs: directive.timeoutMs ?? null,
              },
            };
          }
          case "loop": {
            const childRunIds = await createChildren(
              node.id,
              directive.flowId,
              directive.version,
              directive.items,
              true,
            );
            await waiting("loop");
            return {
              status: "pending",
              attempt: stepAttempt,
              pending: {
                kind: "invoke",
                childRunIds,
                concurrency: directive.concurrency,
                continueOnItemError: directive.continueOnItemError,
                loop: true,
                timeoutMs: null,
              },
            };
          }
        }
      }

      /** Carries out a pending directive with durable step tools and records the node's result. */
      async function finishPending(
        node: PlanNode,
        pending: Pending,
        stepAttempt: number,
      ): Promise<NodeResult> {
        const done = `${node.id}:done`;
        const resumed = async (result: NodeResult): Promise<NodeResult> => {
          await store.markRunStatus(orgId, runId, "running");
          if (result.status === "fired") return succeed(node.id, stepAttempt, result);
          await store.recordStepFinish(orgId, {
            runId,
            nodeId: node.id,
            attempt: stepAttempt,
            status: "failed",
            error: result.error,
          });
          return onErrorOutcome(node, result.error, stepAttempt + 1);
        };
        switch (pending.kind) {
          case "sleep": {
            if ("durationMs" in pending.sleep)
              await step.sleep(`${node.id}:sleep`, Math.max(pending.sleep.durationMs, 1));
            else await step.sleepUntil(`${node.id}:sleep`, new Date(pending.sleep.until));
            return step.run(done, () => resumed(pending.then));
          }
          case "approval": {
            // First wait briefly, then reread the row: a decision sent before this wait was registered is not lost.
            const recheckMs = Math.min(pending.timeoutMs, deps.approvalRecheckMs ?? 60_000);
            const match = `async.data.approvalId == ${JSON.stringify(pending.approvalId)}`;
            let decided = await step.waitForEvent(`${node.id}:decision`, {
              event: APPROVAL_DECIDED_EVENT,
              timeout: Math.max(recheckMs, 1000),
              if: match,
            });
            if (decided === null && recheckMs < pending.timeoutMs) {
              const status = await step.run(
                `${node.id}:recheck`,
                async () =>
                  (await store.getApproval(orgId, pending.approvalId))?.status ?? "pending",
              );
              if (status === "pending") {
                decided = await step.waitForEvent(`${node.id}:decision-wait`, {
                  event: APPROVAL_DECIDED_EVENT,
                  timeout: Math.max(pending.timeoutMs - recheckMs, 1000),
                  if: match,
                });
              }
            }
            return step.run(done, async () => {
              const current = await store.getApproval(orgId, pending.approvalId);
              const approval =
                current?.status === "pending" || !current
                  ? (await store.expireApproval(orgId, pending.approvalId)).approval
                  : current;
              const decision =
                approval.status === "approved"
                  ? "approved"
                  : approval.status === "rejected"
                    ? "rejected"
                    : "timeout";
              const value: Record<string, JsonValue> = { decision, data: pending.data };
              if (decision !== "timeout" && approval.decidedBy)
                value.decidedBy = approval.decidedBy;
              if (approval.comment) value.comment = approval.comment;
              if (approval.formData) value.form = toJson(approval.formData);
              return resumed({ status: "fired", port: decision, value });
            });
          }
          case "invoke": {
            const results: ({ ok: true; output: unknown } | { ok: false; error: StoredError })[] =
              [];
            let next = 0;
            const worker = async () => {
              while (next < pending.childRunIds.length) {
                const index = next++;
                const childRunId = pending.childRunIds[index] ?? "";
                try {
                  const result = (await step.invoke(
                    pending.loop ? `${node.id}:item:${index}` : `${node.id}:invoke`,
                    {
                      function: self,
                      data: { runId: childRunId, orgId },
                      ...(pending.timeoutMs === null ? {} : { timeout: pending.timeoutMs }),
                    },
                  )) as { output?: unknown } | null;
                  results[index] = { ok: true, output: result?.output ?? null };
                } catch (error) {
                  results[index] = { ok: false, error: storedError(error, node.id) };
                }
              }
            };
            await Promise.all(
              Array.from(
                { length: Math.min(pending.concurrency, Math.max(pending.childRunIds.length, 1)) },
                worker,
              ),
            );
            return step.run(done, async () => {
              if (!pending.loop) {
                const only = results[0];
                if (!only || !only.ok)
                  return resumed({
                    status: "failed",
                    error:
                      only && !only.ok
                        ? only.error
                        : { message: "the sub-flow returned nothing", nodeId: node.id },
                  });
                return resumed({
                  status: "fired",
                  port: "out",
                  value: await resolveDeep(orgId, only.output),
                });
              }
              const outputs: JsonValue[] = [];
              for (const [index, result] of results.entries()) {
                if (result.ok) outputs.push(await resolveDeep(orgId, result.output));
                else if (pending.continueOnItemError)
                  outputs.push({ error: { message: result.error.message } });
                else
                  return resumed({
                    status: "failed",
                    error: { ...result.error, message: `item ${index}: ${result.error.message}` },
                  });
              }
              return resumed({ status: "fired", port: "out", value: outputs });
            });
          }
        }
      }

      const settledNow: Record<string, NodeOutcome> = {};

      /**
       * A rerun's first step: records every node not reachable from the rerun node as reused from the earlier run
       * (succeeded with its output and port, or skipped) and returns those outcomes to seed the schedule.
       */
      function reuseEarlierOutcomes(rerun: { runId: string; nodeId: string }) {
        return step.run(
          "reuse",
          async (): Promise<
            | { ok: true; settled: Record<string, NodeOutcome> }
            | { ok: false; error: StoredError & { nodeId: string } }
          > => {
            const outcomes = (await store.getStepOutcomes(orgId, rerun.runId)) ?? {};
            let planned: Record<string, ReusedOutcome>;
            try {
              planned = planRerun(plan, rerun.nodeId, outcomes);
            } catch (error) {
              if (!(error instanceof RerunNodeError)) throw error;
              return {
                ok: false,
                error: { message: error.message, name: error.name, nodeId: error.nodeId },
              };
            }
            const settled: Record<string, NodeOutcome> = {};
            for (const [id, outcome] of Object.entries(planned)) {
              if (outcome.status === "skipped") {
                await store.upsertStep(orgId, { runId, nodeId: id, attempt: 0, status: "skipped" });
                settled[id] = outcome;
                continue;
              }
              await store.recordStepFinish(orgId, {
                runId,
                nodeId: id,
                attempt: 0,
                status: "succeeded",
                output: outcome.value,
                port: outcome.port,
                reusedFromRunId: rerun.runId,
              });
              settled[id] = {
                status: "fired",
                port: outcome.port,
                value: toJson(await store.offloadValue(orgId, runId, outcome.value)),
              };
            }
            return { ok: true, settled };
          },
        );
      }

      async function runNode(id: string): Promise<NodeResult> {
        const node = plan.nodes[id];
        if (!node)
          return {
            status: "failed",
            error: { message: `node ${id} is not in the plan`, nodeId: id },
          };
        const rawInputs = inputsFor(plan, id, settledNow);
        // Only the outputs its expressions read are loaded into the step (large ones are resolved from the store).
        const upstream = upstreamOutputs(plan, id, settledNow);
        const rawNodes = node.readsAnyNode
          ? upstream
          : Object.fromEntries(
              node.reads
                .filter((read) => Object.hasOwn(upstream, read))
                .map((read) => [read, upstream[read]]),
            );
        const first: FirstStep = await step.run(id, () =>
          firstStep(node, rawInputs, rawNodes, attempt),
        );
        if (first.status !== "pending") return first;
        return finishPending(node, first.pending, first.attempt);
      }

      type Done = { key: string; id: string; result: NodeResult | "skipped" };
      const inFlight = new Map<string, Promise<Done>>();
      const started = new Set<string>();
      let failure: { nodeId: string; error: StoredError } | undefined;
      if (loaded.rerun) {
        const reused = await reuseEarlierOutcomes(loaded.rerun);
        if (!reused.ok) return fail(reused.error, reused.error.nodeId);
        Object.assign(settledNow, reused.settled);
      }
      let candidates: Iterable<string> = plan.order;
      for (;;) {
        const progress = advanceFrom(plan, startedBy, settledNow, candidates);
        candidates = [];
        for (const id of progress.skipped) {
          const key = `${id}:skipped`;
          inFlight.set(
            key,
            step
              .run(key, async () => {
                await store.upsertStep(orgId, { runId, nodeId: id, attempt: 0, status: "skipped" });
              })
              .then(() => ({ key, id, result: "skipped" as const })),
          );
        }
        for (const id of progress.ready) {
          if (started.has(id)) continue;
          started.add(id);
          inFlight.set(
            id,
            runNode(id).then((result) => ({ key: id, id, result })),
          );
        }
        if (inFlight.size === 0) break;
        const done = await Promise.race(inFlight.values());
        inFlight.delete(done.key);
        if (done.result === "skipped") continue;
        if (done.result.status === "failed") {
          failure = { nodeId: done.id, error: done.result.error };
          break;
        }
        settledNow[done.id] = { status: "fired", port: done.result.port, value: done.result.value };
        candidates = successorsOf(plan, done.id);
      }

      if (failure) return fail(failure.error, failure.nodeId);
      const leaves = firedLeaves(plan, settledNow);
      const finished = await step.run("finish", async () => {
        const values: [string, JsonValue][] = [];
        for (const [id, value] of leaves) values.push([id, await resolveDeep(orgId, value)]);
        const output: JsonValue =
          values.length === 1 ? (values[0]?.[1] ?? null) : Object.fromEntries(values);
        const change = await store.markRunStatus(orgId, runId, "succeeded", { output });
        return {
          status: change.run.status,
          output: toJson(await store.offloadValue(orgId, runId, output)),
        };
      });
      return {
        runId,
        status: finished.status === "cancelled" ? "cancelled" : "succeeded",
        output: finished.output,
      };
    },
  );
}
