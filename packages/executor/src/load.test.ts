import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { TestApp, TestExecutor } from "../test/harness";
import { client, serveApp, startExecutor, testDatabase, until } from "../test/harness";

let db: Awaited<ReturnType<typeof testDatabase>>;
let ex: TestExecutor;
let app: TestApp | undefined;

beforeAll(async () => {
  db = await testDatabase();
  ex = await startExecutor(db.handle);
}, 120_000);

afterAll(async () => {
  await app?.close();
  await ex.close();
  await db.drop();
});

describe("load", () => {
  it("runs 200 concurrent runs with no lost run and no step executed twice", async () => {
    const executions = new Map<string, number>();
    const record = (key: string) => executions.set(key, (executions.get(key) ?? 0) + 1);
    const inngest = client("load", ex.url);
    const fn = inngest.createFunction(
      { id: "fn", triggers: [{ event: "load/go" }] },
      async ({ event, step }) => {
        const i = (event.data as { i: number }).i;
        const first = await step.run("first", () => (record(`${i}:first`), i));
        const [left, right] = await Promise.all([
          step.run("left", () => (record(`${i}:left`), first * 2)),
          step.run("right", () => (record(`${i}:right`), first * 3)),
        ]);
        const last = await step.run("last", () => (record(`${i}:last`), left + right));
        return last;
      },
    );
    app = await serveApp(ex.executor, inngest, [fn]);
    const total = 200;
    await inngest.send(Array.from({ length: total }, (_, i) => ({ name: "load/go", data: { i } })));
    const completed = await until(
      "all runs to complete",
      async () => {
        const page = await ex.executor.listRuns({
          functionId: "load-fn",
          status: "completed",
          limit: 500,
        });
        return page.runs.length === total ? page.runs : undefined;
      },
      180_000,
    );
    expect(completed).toHaveLength(total);
    const all = await ex.executor.listRuns({ functionId: "load-fn", limit: 500 });
    expect(all.runs).toHaveLength(total);
    for (let i = 0; i < total; i++) {
      for (const name of ["first", "left", "right", "last"])
        expect(executions.get(`${i}:${name}`), `${i}:${name}`).toBe(1);
    }
    const outputs = await Promise.all(
      completed.slice(0, 20).map(async (r) => (await ex.executor.getRun(r.id))?.output),
    );
    for (const output of outputs) expect(typeof output).toBe("number");
  }, 200_000);
});
