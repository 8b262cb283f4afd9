import type { TRPCRouterRecord } from "@trpc/server";
import { tracked, TRPCError } from "@trpc/server";
import { z } from "zod";

import { runStatusEnum, runTriggerKindEnum } from "@runnel/db/schema";
import {
  cancelRun,
  getRun,
  getRunWithSteps,
  listRunEvents,
  runExists,
  startRun,
} from "@runnel/engine";

import { startIdempotently } from "../idempotency/guard";
import { idempotencyKeyProblem } from "../idempotency/request";
import { RUN_START_SCOPE, runStartFingerprint } from "../idempotency/run-start";
import { guardStreamAccess, streamHolder } from "../security/stream-access";
import { actorFields, orgProcedure } from "../trpc";
import { loadFlow } from "./flows/shared";
import { PageDirection } from "./paging";
import {
  listRunsPage,
  mapEngineErrors,
  pinnedDefinition,
  requireEngine,
  toTRPCError,
  versionOf,
} from "./runs.handler";
import { rerunFromNode } from "./runs/rerun.handler";
import { RerunFromInput } from "./runs/rerun.schema";
import { startedRun } from "./runs/shared";
import { startDraftTestRun } from "./runs/test.handler";
import { TestRunInput } from "./runs/test.schema";

const RunId = z.string().min(1, "Give the run id").max(100);

function runNotFound(id: string): TRPCError {
  return new TRPCError({ code: "NOT_FOUND", message: `Run ${id} was not found in this org` });
}

export const StartRunInput = z.strictObject({
  flowId: z.string().min(1, "Give the flow id").max(100),
  /** A published version number; default: the latest published version. */
  version: z.number().int().positive().optional(),
  /** The run's input, checked against the manual trigger's input schema when the run starts. */
  input: z.unknown().default({}),
  /**
   * Starts at most one run per key and org for 24 h, shared with the REST API's `Idempotency-Key` (docs/rest.md,
   * "Idempotency"): a repeat returns the first run with `replayed: true`; another flow or input is CONFLICT.
   */
  idempotencyKey: z
    .string()
    .trim()
    .superRefine((key, ctx) => {
      const problem = idempotencyKeyProblem(key);
      if (problem !== undefined)
        ctx.addIssue({ code: "custom", message: `The idempotency key ${problem}` });
    })
    .optional(),
});

export const ListRunsInput = z.strictObject({
  flowId: z.string().min(1).max(100).optional(),
  status: z.enum(runStatusEnum.enumValues).optional(),
  /** true: only test runs; false: only runs of published versions; absent: both. */
  test: z.boolean().optional(),
  /** Only runs started by this kind of trigger. */
  triggerKind: z.enum(runTriggerKindEnum.enumValues).optional(),
  cursor: z.string().min(1).max(100).nullish(),
  /** Added by tRPC's infinite queries; only "forward" is accepted (see PageDirection). */
  direction: PageDirection,
  limit: z.number().int().min(1).max(200).default(50),
});

/**
 * Runs of the active org's flows: viewers read and watch, editors start and cancel. A run id of another org is
 * NOT_FOUND, with no side effect.
 */
export const runsRouter = {
  /** Starts a run of a published version (the latest unless `version` is given) by hand. */
  start: orgProcedure("editor")
    .input(StartRunInput)
    .mutation(async ({ ctx, input }) => {
      const engine = requireEngine(ctx.engine);
      const flow = await loadFlow(ctx.db, ctx.org.id, input.flowId);
      const actor = actorFields(ctx.actor);
      const { run, created, replayed } = await mapEngineErrors(() =>
        startIdempotently(
          ctx.db,
          input.idempotencyKey === undefined
            ? undefined
            : {
                orgId: ctx.org.id,
                scope: RUN_START_SCOPE,
                key: input.idempotencyKey,
                requestHash: runStartFingerprint(flow.id, input.version, input.input),
              },
          (idempotencyKey) =>
            startRun({
              db: ctx.db,
              sendEvent: engine.sendEvent,
              bus: engine.bus,
              orgId: ctx.org.id,
              flowId: flow.id,
              ...(input.version !== undefined ? { version: input.version } : {}),
              input: input.input,
              trigger: {
                kind: "manual",
                info: { userId: actor.actorUserId, apiKeyId: actor.actorApiKeyId },
              },
              ...(idempotencyKey ? { idempotencyKey } : {}),
              ...(actor.actorUserId ? { createdBy: actor.actorUserId } : {}),
            }),
        ),
      );
      if (!created) return { ...startedRun(run, false), replayed };
      await ctx.audit(ctx.db, {
        action: "run.started",
        targetType: "run",
        targetId: run.id,
        metadata: { flowId: flow.id, flowVersionId: run.flowVersionId, trigger: "manual" },
      });
      return { ...startedRun(run, false), replayed };
    }),

  /** Runs the flow's current draft (compiled, then snapshotted as a test version) by hand, as a test run. */
  test: orgProcedure("editor")
    .input(TestRunInput)
    .mutation(({ ctx, input }) => startDraftTestRun(ctx, requireEngine(ctx.engine), input)),

  /** Runs an earlier run again from a node, reusing the outputs of the nodes not reachable from it. */
  rerunFrom: orgProcedure("editor")
    .input(RerunFromInput)
    .mutation(({ ctx, input }) => rerunFromNode(ctx, requireEngine(ctx.engine), input)),

  /** Newest first; `nextCursor` (a run id) fetches the next page, null on the last one. */
  list: orgProcedure("viewer")
    .input(ListRunsInput)
    .query(({ ctx, input }) =>
      listRunsPage(ctx.db, ctx.org.id, {
        flowId: input.flowId,
        status: input.status,
        test: input.test,
        triggerKind: input.triggerKind,
        cursor: input.cursor ?? undefined,
        limit: input.limit,
      }),
    ),

  /** The run with its input, output and every attempt of every step. */
  get: orgProcedure("viewer")
    .input(z.strictObject({ id: RunId }))
    .query(async ({ ctx, input }) => {
      const found = await getRunWithSteps(ctx.db, ctx.org.id, input.id);
      if (!found) throw runNotFound(input.id);
      const { run, steps } = found;
      const version = await versionOf(ctx.db, ctx.org.id, run.flowVersionId);
      return {
        ...run,
        ...version,
        rerunOf:
          run.rerunOfRunId && run.rerunFromNodeId
            ? { runId: run.rerunOfRunId, nodeId: run.rerunFromNodeId }
            : null,
        steps: steps.map((step) => ({ ...step, reused: step.reusedFromRunId !== null })),
      };
    }),

  /**
   * The flow definition the run executed: its pinned published version, or the draft snapshot of a test run (which
   * flows.version does not hand out).
   */
  definition: orgProcedure("viewer")
    .input(z.strictObject({ id: RunId }))
    .query(async ({ ctx, input }) => {
      const run = await getRun(ctx.db, ctx.org.id, input.id);
      if (!run) throw runNotFound(input.id);
      const pinned = await pinnedDefinition(ctx.db, ctx.org.id, run.flowVersionId);
      if (!pinned) throw runNotFound(input.id);
      return pinned;
    }),

  /** Cancels the run and its unfinished sub-runs; `cancelled: false` when it had already finished. */
  cancel: orgProcedure("editor")
    .input(z.strictObject({ id: RunId }))
    .mutation(async ({ ctx, input }) => {
      const engine = requireEngine(ctx.engine);
      if (!(await runExists(ctx.db, ctx.org.id, input.id))) throw runNotFound(input.id);
      const cancelled = await mapEngineErrors(() =>
        cancelRun({
          db: ctx.db,
          sendEvent: engine.sendEvent,
          bus: engine.bus,
          orgId: ctx.org.id,
          runId: input.id,
          reason: "cancelled by a user",
        }),
      );
      await ctx.audit(ctx.db, {
        action: "run.cancelled",
        targetType: "run",
        targetId: input.id,
        metadata: { changed: cancelled },
      });
      const run = await getRun(ctx.db, ctx.org.id, input.id);
      return { id: input.id, cancelled, status: run?.status ?? "cancelled" };
    }),

  /** Stored events of the run after `afterSeq` (default: from the start), in order. */
  events: orgProcedure("viewer")
    .input(
      z.strictObject({
        id: RunId,
        afterSeq: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(1000).default(500),
      }),
    )
    .query(async ({ ctx, input }) => {
      if (!(await runExists(ctx.db, ctx.org.id, input.id))) throw runNotFound(input.id);
      return listRunEvents(ctx.db, ctx.org.id, input.id, {
        afterSeq: input.afterSeq,
        limit: input.limit,
      });
    }),

  /**
   * The run's events as they happen: the stored ones after `lastEventId` first, then live ones, each tracked by
   * its seq, so a client that reconnects with the last id it saw resumes with no gap and no duplicate. Ends after
   * the run's terminal event, or with UNAUTHORIZED within about a second of the session or key that opened it ending
   * (or of the member leaving the org): security/stream-access.
   */
  watch: orgProcedure("viewer")
    .input(
      z.strictObject({
        id: RunId,
        lastEventId: z
          .string()
          .regex(/^\d+$/, "lastEventId is the seq of the last event received")
          .nullish(),
      }),
    )
    .subscription(async function* ({ ctx, input, signal }) {
      const engine = requireEngine(ctx.engine);
      if (!(await runExists(ctx.db, ctx.org.id, input.id))) throw runNotFound(input.id);
      const access = guardStreamAccess(ctx.db, streamHolder(ctx.actor, ctx.org.id), { signal });
      const events = engine.bus.subscribe(ctx.org.id, input.id, {
        afterSeq: input.lastEventId ? Number(input.lastEventId) : 0,
        signal: access.signal,
      });
      try {
        for await (const event of events) yield tracked(String(event.seq), event);
      } catch (error) {
        throw toTRPCError(error);
      } finally {
        access.stop();
      }
      if (access.revoked) {
        const reason: unknown = access.signal.reason;
        throw new TRPCError({
          code: "UNAUTHORIZED",
          message: reason instanceof Error ? reason.message : "Access ended",
        });
      }
    }),
} satisfies TRPCRouterRecord;
