import type { NodeDefinition, NodeDirective } from "@runnel/nodes";

import type { PlanNode } from "../../compiler";
import type { ExpressionContext } from "../../expressions";
import type { StepUsage } from "../../services/node-context";
import type { RunContext } from "./context";
import type { StepStart } from "./step-start";
import type { FirstStep, Pending } from "./types";
import { resolveConfig } from "../../expressions";
import { createNodeContext } from "../../services/node-context";
import { isRetryable, resolveDeep, resolveRecord, storedError } from "./context";
import { createChildren, startAgent, startApproval } from "./directives";
import { onErrorOutcome, succeed } from "./outcome";
import { stepStart } from "./step-start";

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

/** Runs a node's execute for one attempt: config resolution, validation, timeout, logs, usage. */
async function attemptNode(
  context: RunContext,
  node: PlanNode,
  definition: NodeDefinition,
  raw: { inputs: Record<string, unknown>; nodes: Record<string, unknown> },
  stepAttempt: number,
  start: StepStart,
): Promise<{ directive: NodeDirective; usage: StepUsage }> {
  const { runId, orgId } = context;
  const triggerOutcome = context.settled[context.startedBy];
  const expressions: ExpressionContext = {
    trigger:
      triggerOutcome?.status === "fired" ? await resolveDeep(context, triggerOutcome.value) : null,
    nodes: await resolveRecord(context, raw.nodes),
    vars: context.plan.vars,
    run: context.runInfo,
  };
  const inputs: Record<string, unknown> = {};
  for (const [port, value] of Object.entries(raw.inputs)) {
    const multiple = node.inputs[port]?.multiple === true;
    inputs[port] =
      multiple && value !== null && typeof value === "object"
        ? await resolveRecord(context, value as Record<string, unknown>)
        : await resolveDeep(context, value);
  }
  const ctx = createNodeContext({
    run: { runId, orgId, flowId: context.loaded.flowId, nodeId: node.id, attempt: stepAttempt },
    services: context.resources.services,
  });
  start.begin(inputs);
  try {
    const event = node.kind === "trigger" ? await resolveDeep(context, context.loaded.input) : null;
    const directive = await withTimeout(
      (async () => {
        const config = resolveConfig(node.config, expressions, node.literalConfig);
        return definition.run({ config, inputs, ctx, event });
      })(),
      node.settings.timeoutMs,
      node.id,
    );
    return { directive, usage: ctx.usage };
  } finally {
    // Logs follow step.started.
    if (ctx.logs.length > 0) await start.flush();
    for (const [index, entry] of ctx.logs.entries()) {
      await context.store.appendRunEvent(orgId, {
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

/** Starts the durable wait a directive asks for, inside the node's first step. */
async function startWait(
  context: RunContext,
  node: PlanNode,
  directive: Exclude<NodeDirective, { kind: "emit" | "respond" }>,
): Promise<{ pending: Pending; reason: string }> {
  switch (directive.kind) {
    case "sleep":
      return {
        reason: "sleep",
        pending: {
          kind: "sleep",
          sleep: directive.sleep,
          then: { status: "fired", port: directive.then.port, value: directive.then.value },
        },
      };
    case "approval":
      return {
        reason: "approval",
        pending: {
          kind: "approval",
          ...(await startApproval(context, node.id, directive.request)),
        },
      };
    case "invoke":
      return {
        reason: "sub-flow",
        pending: {
          kind: "invoke",
          childRunIds: await createChildren(context, node.id, directive, [directive.input], false),
          concurrency: 1,
          continueOnItemError: false,
          loop: false,
          timeoutMs: directive.timeoutMs ?? null,
        },
      };
    case "loop":
      return {
        reason: "loop",
        pending: {
          kind: "invoke",
          childRunIds: await createChildren(context, node.id, directive, directive.items, true),
          concurrency: directive.concurrency,
          continueOnItemError: directive.continueOnItemError,
          loop: true,
          timeoutMs: null,
        },
      };
    case "agent":
      return { reason: "agent", pending: await startAgent(context, directive.request) };
  }
}

/**
 * The node's first step: one attempt (a failure is thrown for a retry while attempts remain), or the start of a
 * wait.
 */
export async function firstStep(
  context: RunContext,
  node: PlanNode,
  raw: { inputs: Record<string, unknown>; nodes: Record<string, unknown> },
  stepAttempt: number,
): Promise<FirstStep> {
  const { runId, orgId } = context;
  const { store } = context;
  const { catalogue } = context.resources;
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
  // Outputs held for a group commit are committed before a node with effects starts.
  if (!definition.pure) await store.flush();
  let outcome: { directive: NodeDirective; usage: StepUsage };
  const start = stepStart(context, node.id, stepAttempt);
  try {
    outcome = await attemptNode(context, node, definition, raw, stepAttempt, start);
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
    if (stepAttempt < node.settings.retries && isRetryable(error)) throw error;
    return onErrorOutcome(node, stored, stepAttempt + 1);
  }
  const { directive } = outcome;
  const { usage } = outcome;
  const tokens = {
    tokensIn: usage.inputTokens,
    tokensOut: usage.outputTokens,
    costUsd: usage.costUsd,
  };
  if (directive.kind === "emit")
    return succeed(
      context,
      node.id,
      stepAttempt,
      { status: "fired", port: directive.port, value: directive.value },
      tokens,
      start,
    );
  if (directive.kind === "respond") {
    const fired = await succeed(
      context,
      node.id,
      stepAttempt,
      { status: "fired", port: directive.then.port, value: directive.then.value },
      tokens,
      start,
    );
    // Committed (with what was held before it): a caller waiting in this process may be answered now.
    await store.flush();
    context.resources.responses?.responded(runId, node.id, directive.then.value);
    return fired;
  }
  // Only a node that fired writes its start together with its outcome.
  await start.flush();
  const { pending, reason } = await startWait(context, node, directive);
  // An agent keeps running: its steps mark the run waiting only while a tool call waits for approval.
  if (pending.kind === "agent") return { status: "pending", attempt: stepAttempt, pending };
  await store.upsertStep(orgId, {
    runId,
    nodeId: node.id,
    attempt: stepAttempt,
    status: "waiting",
    reason,
  });
  await store.markRunStatus(orgId, runId, "waiting", { reason: `${node.id}: ${reason}` });
  return { status: "pending", attempt: stepAttempt, pending };
}
