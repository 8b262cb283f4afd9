import type { Inngest } from "inngest";
import { NonRetriableError, referenceFunction } from "inngest";

import type { RunFlowResourcesOptions } from "./flow-run/resources";
import type { RunFlowResult } from "./flow-run/steps";
import { RunNotFoundError } from "../runs/errors";
import { RUN_CANCEL_EVENT, RUN_REQUESTED_EVENT, RunRequestedData } from "./events";
import { executeRun } from "./flow-run/execute-run";
import { inngestSteps, nonRetriable } from "./flow-run/inngest-steps";
import { createRunFlowResources } from "./flow-run/resources";
import { MAX_NODE_RETRIES } from "./flow-run/steps";

export type { RunFlowResult } from "./flow-run/steps";
export { MAX_NODE_RETRIES } from "./flow-run/steps";

export interface RunFlowDeps extends RunFlowResourcesOptions {
  /** The app's Inngest client (real Inngest, or pointed at the local executor). */
  inngest: Inngest.Any;
  /** Steps of one org executing at once (Inngest concurrency keyed by org). Default 10. */
  concurrencyPerOrg?: number;
  /** Inngest function id. Default "run-flow". */
  functionId?: string;
}

/**
 * Creates runFlow as an Inngest function (DESIGN §4): the run's semantics (`executeRun`) over Inngest's step
 * tools. See docs/runtime.md for steps, retries, error handling, waits, approvals, sub-flows, loops and cancel.
 */
export function createRunFlowFunction(deps: RunFlowDeps) {
  const { inngest } = deps;
  const functionId = deps.functionId ?? "run-flow";
  const resources = createRunFlowResources(deps);
  const self = referenceFunction({ functionId });

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
          await resources.store.markRunStatus(original.data.orgId, original.data.runId, "failed", {
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
      return nonRetriable(() =>
        executeRun(resources, inngestSteps(step, attempt, self), parsed.data),
      );
    },
  );
}
