import type { InngestFunction } from "inngest";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { TestApp, TestClient, TestExecutor } from "../test/harness";
import { client, runOf, serveApp, startExecutor, testDatabase } from "../test/harness";

let db: Awaited<ReturnType<typeof testDatabase>>;
let plainDb: Awaited<ReturnType<typeof testDatabase>>;
let ex: TestExecutor;
let plain: TestExecutor;
const apps: TestApp[] = [];
/** Run requests (POSTs to serve URLs) per function id, counted at the executor's transport. */
const requests = new Map<string, number>();

const counting = (request: Request) => {
  if (request.method === "POST") {
    const fnId = new URL(request.url).searchParams.get("fnId") ?? "";
    requests.set(fnId, (requests.get(fnId) ?? 0) + 1);
  }
  return fetch(request);
};

beforeAll(async () => {
  db = await testDatabase();
  ex = await startExecutor(db.handle, { transport: counting });
  // A second executor (own database) with checkpointing turned off: one request per step.
  plainDb = await testDatabase();
  plain = await startExecutor(plainDb.handle, { transport: counting, checkpointing: false });
}, 120_000);

afterAll(async () => {
  for (const app of apps) await app.close();
  await plain.close();
  await ex.close();
  await db.drop();
  await plainDb.drop();
});

const sha1 = (s: string) => createHash("sha1").update(s).digest("hex");

async function register(
  target: TestExecutor,
  inngest: TestClient,
  fns: InngestFunction.Any[],
): Promise<void> {
  apps.push(await serveApp(target.executor, inngest, fns));
}

describe.concurrent("checkpointing (POST /v1/checkpoint/:runId/async)", () => {
  it("runs consecutive steps in one request, storing each step before the SDK goes on", async () => {
    const calls = new Map<number, number>();
    const inngest = client("cp-seq", ex.url);
    const fn = inngest.createFunction(
      { id: "fn", triggers: [{ event: "cp-seq/go" }] },
      async ({ step }) => {
        let total = 0;
        for (let i = 0; i < 20; i++) {
          total += await step.run(`s${i}`, () => {
            calls.set(i, (calls.get(i) ?? 0) + 1);
            return i;
          });
        }
        return total;
      },
    );
    await register(ex, inngest, [fn]);
    await inngest.send({ name: "cp-seq/go", data: {} });
    const run = await ex.executor.waitForRun(await runOf(ex.executor, "cp-seq-fn"), {
      timeoutMs: 60_000,
    });
    expect(run.status).toBe("completed");
    expect(run.output).toBe(190);
    expect([...calls.values()].every((n) => n === 1)).toBe(true);
    expect(calls.size).toBe(20);
    expect(run.steps.map((s) => s.id)).toEqual(Array.from({ length: 20 }, (_, i) => sha1(`s${i}`)));
    expect(run.steps.map((s) => s.output)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(run.steps.every((s) => s.status === "completed" && s.attempts === 1)).toBe(true);
    // Without checkpointing this takes 21 requests; the SDK stops checkpointing only after 10 s in one request.
    expect(requests.get("cp-seq-fn")).toBeLessThanOrEqual(3);
  });

  it("never runs a checkpointed step again when the function body is retried", async () => {
    const calls: Record<string, number> = {};
    const count = (id: string) => (calls[id] = (calls[id] ?? 0) + 1);
    const inngest = client("cp-retry", ex.url);
    const fn = inngest.createFunction(
      { id: "fn", retries: 2, triggers: [{ event: "cp-retry/go" }] },
      async ({ step, attempt }) => {
        const a = await step.run("a", () => (count("a"), 1));
        const b = await step.run("b", () => (count("b"), a + 1));
        count(`body-${attempt}`);
        if (attempt === 0) throw new Error("body fails once after its steps");
        return a + b;
      },
    );
    await register(ex, inngest, [fn]);
    await inngest.send({ name: "cp-retry/go", data: {} });
    const run = await ex.executor.waitForRun(await runOf(ex.executor, "cp-retry-fn"), {
      timeoutMs: 60_000,
    });
    expect(run.status).toBe("completed");
    expect(run.output).toBe(3);
    expect(calls).toEqual({ a: 1, b: 1, "body-0": 1, "body-1": 1 });
    expect(run.steps.map((s) => [s.id, s.output])).toEqual([
      [sha1("a"), 1],
      [sha1("b"), 2],
    ]);
  });

  it("keeps one request per step when checkpointing is off", async () => {
    const inngest = client("cp-off", plain.url);
    const fn = inngest.createFunction(
      { id: "fn", triggers: [{ event: "cp-off/go" }] },
      async ({ step }) => {
        const a = await step.run("a", () => 1);
        const b = await step.run("b", () => a + 1);
        return step.run("c", () => a + b);
      },
    );
    await register(plain, inngest, [fn]);
    await inngest.send({ name: "cp-off/go", data: {} });
    const run = await plain.executor.waitForRun(await runOf(plain.executor, "cp-off-fn"), {
      timeoutMs: 60_000,
    });
    expect(run.status).toBe("completed");
    expect(run.output).toBe(3);
    expect(requests.get("cp-off-fn")).toBe(4);
  });

  it("answers 409 to a checkpoint from a request that is no longer current and 400 to an invalid one", async () => {
    const inngest = client("cp-stale", ex.url);
    const fn = inngest.createFunction(
      { id: "fn", triggers: [{ event: "cp-stale/go" }] },
      async ({ step }) => step.run("only", () => "done"),
    );
    await register(ex, inngest, [fn]);
    await inngest.send({ name: "cp-stale/go", data: {} });
    const runId = await runOf(ex.executor, "cp-stale-fn");
    await ex.executor.waitForRun(runId, { timeoutMs: 60_000 });
    const post = (body: unknown) =>
      fetch(`${ex.url}/v1/checkpoint/${runId}/async`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const stale = await post({
      run_id: runId,
      fn_id: "cp-stale-fn",
      qi_id: "1@some-other-worker",
      steps: [{ id: sha1("late"), op: "StepRun", data: 1 }],
    });
    expect(stale.status).toBe(409);
    const invalid = await post({ run_id: runId, steps: [] });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: string }).error).toContain("qi_id");
    const run = await ex.executor.getRun(runId);
    expect(run?.steps.map((s) => s.id)).toEqual([sha1("only")]);
    expect(run?.output).toBe("done");
  });
});
