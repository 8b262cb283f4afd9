import { describe, expect, it } from "vitest";

import { sandboxOptionsFromEnv } from "./env";

describe("sandboxOptionsFromEnv", () => {
  it("keeps the defaults when nothing is set", () => {
    expect(sandboxOptionsFromEnv({})).toEqual({});
    expect(sandboxOptionsFromEnv({ RUNNEL_SANDBOX_WORKERS: " " })).toEqual({});
  });

  it("reads every pool setting", () => {
    expect(
      sandboxOptionsFromEnv({
        RUNNEL_SANDBOX_WORKERS: "6",
        RUNNEL_SANDBOX_PREWARM: "2",
        RUNNEL_SANDBOX_MAX_PER_ORG: "3",
        RUNNEL_SANDBOX_MAX_QUEUED: "500",
        RUNNEL_SANDBOX_MAX_QUEUED_PER_ORG: "20",
        RUNNEL_SANDBOX_WORKER_HEAP_MB: "128",
      }),
    ).toEqual({
      workers: 6,
      prewarm: 2,
      maxConcurrentPerOrg: 3,
      maxQueued: 500,
      maxQueuedPerOrg: 20,
      workerHeapMb: 128,
    });
  });

  it("names the variable of a bad value", () => {
    expect(() => sandboxOptionsFromEnv({ RUNNEL_SANDBOX_WORKERS: "four" })).toThrow(
      'RUNNEL_SANDBOX_WORKERS must be a whole number, got "four"',
    );
    expect(() => sandboxOptionsFromEnv({ RUNNEL_SANDBOX_WORKERS: "0" })).toThrow(
      /RUNNEL_SANDBOX_WORKERS: sandbox option workers must be a whole number of at least 1, got 0/,
    );
    expect(() =>
      sandboxOptionsFromEnv({ RUNNEL_SANDBOX_WORKERS: "2", RUNNEL_SANDBOX_PREWARM: "3" }),
    ).toThrow(
      /RUNNEL_SANDBOX_WORKERS, RUNNEL_SANDBOX_PREWARM: sandbox option prewarm \(3\) exceeds workers \(2\)/,
    );
  });
});
