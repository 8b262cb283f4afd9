import type { JobRow } from "../queue";
import type { Tx } from "../store";
import type { RunLifecycle } from "./lifecycle";
import type { OpcodeHandlers } from "./opcodes";
import type { Retries } from "./retries";
import type { HttpAnswer } from "./sdk-request";
import type { Continuation, RunRow } from "./types";
import { OpsResponse } from "../protocol";
import { toError } from "./errors";

/**
 * Reads the SDK's answer to a call (inside the transaction that took the job): 200 = the function returned,
 * 206 = opcodes, anything else (or no answer) = the function body failed.
 */
export class ResponseHandler {
  constructor(
    private readonly systems: {
      lifecycle: RunLifecycle;
      retries: Retries;
      opcodes: OpcodeHandlers;
    },
  ) {}

  async apply(
    tx: Tx,
    run: RunRow,
    job: JobRow,
    response: HttpAnswer,
    startedAt: Date,
  ): Promise<Continuation | undefined> {
    const { lifecycle, retries, opcodes } = this.systems;
    if ("failure" in response) {
      return retries.retryOrFail(
        tx,
        run,
        job,
        { name: "Error", message: response.failure },
        undefined,
      );
    }
    const { status, headers, body } = response;
    if (status === 200) {
      await lifecycle.finishRun(tx, run, { status: "completed", output: body ?? null });
      return undefined;
    }
    if (status === 206) {
      const ops = OpsResponse.safeParse(body);
      if (!ops.success) {
        await lifecycle.finishRun(tx, run, {
          status: "failed",
          error: {
            name: "ProtocolError",
            message: `invalid 206 answer from the SDK: ${ops.error.message}`,
          },
        });
        return undefined;
      }
      return opcodes.apply({ tx, run, job, headers, startedAt }, ops.data);
    }
    const error = toError(body, `the serve endpoint answered HTTP ${status}`);
    const noRetry = headers.get("x-inngest-no-retry") === "true";
    if (noRetry) {
      await lifecycle.finishRun(tx, run, { status: "failed", error });
      return undefined;
    }
    return retries.retryOrFail(tx, run, job, error, headers.get("retry-after"));
  }
}
