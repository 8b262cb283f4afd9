import type { GetStepTools, Inngest, InngestFunctionReference } from "inngest";
import { NonRetriableError } from "inngest";

import type { FlowSteps, RunFlowResult } from "./steps";
import { RunFailedError } from "./steps";

/** A `RunFailedError` becomes Inngest's NonRetriableError, so neither the step nor the function is retried. */
export async function nonRetriable<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof RunFailedError)
      throw new NonRetriableError(error.message, { cause: error });
    throw error;
  }
}

/**
 * The Inngest binding of the step tools: each call is the SDK's step of the same id, so real Inngest and the
 * standalone executor memoise, retry and wait exactly as the protocol says. `attempt` is the function's attempt
 * counter, which Inngest resets for every step.
 */
export function inngestSteps(
  step: GetStepTools<Inngest.Any>,
  attempt: number,
  self: InngestFunctionReference.Any,
): FlowSteps {
  return {
    run: async (id, work) =>
      // Step results are JSON by construction (the interface's types), which is what the SDK returns.
      (await step.run(id, () => nonRetriable(() => work(attempt)))) as Awaited<
        ReturnType<typeof work>
      >,
    sleep: (id, ms) => step.sleep(id, ms),
    sleepUntil: (id, until) => step.sleepUntil(id, until),
    waitForEvent: async (id, awaited) => {
      const match = Object.entries(awaited.match)
        .map(([field, value]) => `async.data.${field} == ${JSON.stringify(value)}`)
        .join(" && ");
      const event = await step.waitForEvent(id, {
        event: awaited.event,
        timeout: awaited.timeoutMs,
        if: match,
      });
      return event === null ? null : { data: event.data as unknown };
    },
    invoke: async (id, child) => {
      const result = (await step.invoke(id, {
        function: self,
        data: { runId: child.runId, orgId: child.orgId },
        ...(child.timeoutMs === undefined ? {} : { timeout: child.timeoutMs }),
      })) as RunFlowResult | null;
      return result ?? { runId: child.runId, status: "succeeded", output: null };
    },
  };
}
