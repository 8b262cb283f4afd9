import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { applyMigrations } from "@runnel/db";

import { testDatabase } from "../../test/harness";
import { executorMigrations } from "../executor";
import { jobs, runs, steps } from "../schema";
import { CheckpointWriter } from "./checkpoint-writer";
import { createResources } from "./resources";

let db: Awaited<ReturnType<typeof testDatabase>>;

beforeAll(async () => {
  db = await testDatabase();
  await applyMigrations(db.handle, executorMigrations);
});

afterAll(() => db.drop());

/** A running run with its discovery call leased to `owner`; answers the job id. */
async function leasedRun(
  runId: string,
  owner: string,
  status: "running" | "completed" = "running",
) {
  await db.handle.db.insert(runs).values({
    id: runId,
    functionId: "fn",
    status,
    eventId: `event-${runId}`,
    event: { name: "e", data: {} },
    maxAttempts: 4,
  });
  const [job] = await db.handle.db
    .insert(jobs)
    .values({
      key: `call:${runId}:step`,
      kind: "call",
      runId,
      stepId: "step",
      dueAt: new Date(),
      leaseOwner: owner,
      leaseExpires: new Date(Date.now() + 60_000),
    })
    .returning({ id: jobs.id });
  return job?.id ?? -1;
}

const step = (id: string, data: unknown) => ({ id, name: id, displayName: id, data });

describe("CheckpointWriter", () => {
  it("writes concurrent checkpoints in shared statements and refuses each stale one alone", async () => {
    const r = createResources({ db: db.handle });
    const execute = r.store.db.execute.bind(r.store.db);
    let statements = 0;
    r.store.db.execute = (query: Parameters<typeof execute>[0]) => {
      statements++;
      return execute(query);
    };
    const writer = new CheckpointWriter(r);
    const a = await leasedRun("run-a", "w:1");
    const b = await leasedRun("run-b", "w:1");
    const c = await leasedRun("run-c", "w:1");
    const ended = await leasedRun("run-ended", "w:1", "completed");

    const answers = await Promise.all([
      writer.write({
        runId: "run-a",
        jobId: a,
        owner: "w:1",
        steps: [step("s1", 1), step("s2", 2)],
      }),
      writer.write({ runId: "run-b", jobId: b, owner: "w:1", steps: [step("s1", "b")] }),
      // Stale: the job is leased to another process now.
      writer.write({ runId: "run-c", jobId: c, owner: "w:0", steps: [step("s1", "c")] }),
      writer.write({ runId: "run-ended", jobId: ended, owner: "w:1", steps: [step("s1", 0)] }),
      // A second checkpoint of run-a waits for the next statement and comes after the first.
      writer.write({ runId: "run-a", jobId: a, owner: "w:1", steps: [step("s3", 3)] }),
    ]);
    expect(answers).toEqual([true, true, false, false, true]);
    // The first checkpoint goes alone (nothing was queued yet); the other four share at most two statements.
    expect(statements).toBeLessThanOrEqual(3);

    const stored = await db.handle.db
      .select({ runId: steps.runId, id: steps.id, data: steps.data, attempts: steps.attempts })
      .from(steps)
      .orderBy(steps.runId, steps.endedAt);
    expect(stored).toEqual([
      { runId: "run-a", id: "s1", data: 1, attempts: 1 },
      { runId: "run-a", id: "s2", data: 2, attempts: 1 },
      { runId: "run-a", id: "s3", data: 3, attempts: 1 },
      { runId: "run-b", id: "s1", data: "b", attempts: 1 },
    ]);
  });
});
