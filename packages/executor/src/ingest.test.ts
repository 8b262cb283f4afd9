import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { TestApp, TestExecutor } from "../test/harness";
import { client, serveApp, startExecutor, testDatabase, until } from "../test/harness";

let db: Awaited<ReturnType<typeof testDatabase>>;
let ex: TestExecutor;
const apps: TestApp[] = [];

beforeAll(async () => {
  db = await testDatabase();
  ex = await startExecutor(db.handle);
}, 120_000);

afterAll(async () => {
  for (const app of apps) await app.close();
  await ex.close();
  await db.drop();
});

describe("events sent in one batch", () => {
  it("are routed in order: a later event cancels a run an earlier one started; duplicates ignored", async () => {
    const inngest = client("batch", ex.url);
    const plain = inngest.createFunction(
      { id: "plain", triggers: [{ event: "batch/start" }] },
      async ({ event, step }) => step.run("echo", () => (event.data as { n: number }).n),
    );
    const cancellable = inngest.createFunction(
      {
        id: "cancellable",
        triggers: [{ event: "batch/start" }],
        cancelOn: [{ event: "batch/stop", match: "data.n" }],
      },
      async ({ step }) => {
        await step.sleep("nap", "1h");
        return "woke";
      },
    );
    apps.push(await serveApp(ex.executor, inngest, [plain, cancellable]));
    const { ids } = await ex.executor.sendEvents([
      { name: "batch/start", id: "batch-1", data: { n: 1 } },
      { name: "batch/start", id: "batch-2", data: { n: 2 } },
      { name: "batch/stop", data: { n: 1 } },
    ]);
    expect(ids.slice(0, 2)).toEqual(["batch-1", "batch-2"]);
    // An id seen before, and the same new id twice in one batch: each stored and routed once.
    await ex.executor.sendEvents([
      { name: "batch/start", id: "batch-1", data: { n: 1 } },
      { name: "batch/start", id: "batch-3", data: { n: 3 } },
      { name: "batch/start", id: "batch-3", data: { n: 3 } },
    ]);
    const plainRuns = await until("two plain runs completed", async () => {
      const { runs } = await ex.executor.listRuns({ functionId: "batch-plain" });
      return runs.length === 3 && runs.every((r) => r.status === "completed") ? runs : undefined;
    });
    expect(plainRuns).toHaveLength(3);
    const status = async (eventId: string) =>
      (await ex.executor.runsForEvent(eventId)).find((r) => r.functionId === "batch-cancellable")
        ?.status;
    await until("the run of batch-1 cancelled", async () =>
      (await status("batch-1")) === "cancelled" ? true : undefined,
    );
    expect(await status("batch-2")).toBe("running");
    expect(await status("batch-3")).toBe("running");
    expect(await ex.executor.runsForEvent("batch-1")).toHaveLength(2);
    expect(await ex.executor.runsForEvent("batch-3")).toHaveLength(2);
  });
});
