import { TRPCError } from "@trpc/server";
import { ZodRealError } from "zod";

import type { Database } from "@runnel/db";
import type { Run } from "@runnel/engine";
import { FlowCompileProblemsError, RerunNodeError } from "@runnel/engine";

import type { Actor } from "../../trpc";
import type { FlowProblem, ServiceCtx } from "../flows/shared";
import { fieldError } from "../../trpc";
import { describeProblems } from "../flows/shared";
import { toTRPCError } from "../runs.handler";

/** What the runs handlers read from an org procedure's context. */
export interface RunsCtx {
  db: Database;
  org: { id: string };
  actor: Actor;
  audit: ServiceCtx["audit"];
}

/** BAD_REQUEST listing every compile problem of a flow's draft, with field errors keyed by each problem's path. */
export function draftDoesNotCompile(name: string, problems: FlowProblem[]): TRPCError {
  return new TRPCError({
    code: "BAD_REQUEST",
    message: `The draft of flow "${name}" does not compile (${problems.length} problem${problems.length === 1 ? "" : "s"}); nothing was run:\n${describeProblems(problems)}`,
    cause: new ZodRealError(
      problems.map((p) => ({
        code: "custom" as const,
        path: p.path,
        message: p.nodeId === null ? p.message : `${p.nodeId}: ${p.message}`,
        input: undefined,
      })),
    ),
  });
}

/** The engine errors of test runs and reruns as tRPC errors, then the common ones (see toTRPCError). */
export async function mapStartErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof RerunNodeError) throw fieldError(["nodeId"], error.message);
    if (error instanceof FlowCompileProblemsError) {
      throw new TRPCError({ code: "BAD_REQUEST", message: error.message, cause: error });
    }
    throw toTRPCError(error);
  }
}

/** What starting a run returns (runs.start, runs.test, runs.rerunFrom). */
export function startedRun(run: Run, test: boolean) {
  return {
    id: run.id,
    status: run.status,
    flowId: run.flowId,
    flowVersionId: run.flowVersionId,
    createdAt: run.createdAt,
    test,
    rerunOf:
      run.rerunOfRunId && run.rerunFromNodeId
        ? { runId: run.rerunOfRunId, nodeId: run.rerunFromNodeId }
        : null,
  };
}
