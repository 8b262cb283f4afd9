import type { InngestFunction } from "inngest";
import { createHash } from "node:crypto";
import { NonRetriableError, RetryAfterError } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { and, eq } from "@runnel/db";

import type { TestApp, TestClient, TestExecutor } from "../test/harness";
import { client, runOf, serveApp, startExecutor, testDatabase, until } from "../test/harness";
import { jobs } from "./schema";

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

const sha1 = (s: string) => createHash("sha1").update(s).digest("hex");

async function register(inngest: TestClient, fns: InngestFunction.Any[]): Promise<void> {
  apps.push(await serveApp(ex.executor, inngest, fns));
}

async function finished(functionId: string) {
  return ex.executor.waitForRun(await runOf(ex.executor, functionId), { timeoutMs: 30_000 });
}

describe.concurrent("conformance with the inngest SDK over HTTP", () => {
  it("memoizes step.run results (sha1 ids, repeated ids) and returns the output", async () => {
    const calls: Record<string, number> = {};
    const count = (id: string) => (calls[id] = (calls[id] ?? 0) + 1);
    const inngest = client("memo", ex.url);
    const fn = inngest.createFunction(
      { id: "fn", triggers: [{ event: "memo/go" }] },
      async ({ event, step }) => {
        const a = await step.run("a", () => (count("a"), (event.data as { n: number }).n + 1));
        const b = await step.run("a", () => (count("a2"), a * 10));
        const c = await step.run("c", () => (count("c"), `${a}-${b}`));
        return { a, b, c };
      },
    );
    await register(inngest, [fn]);
    const { ids } = await inngest.send({ name: "memo/go", data: { n: 1 } });
    expect(ids).toHaveLength(1);
    const run = await finished("memo-fn");
    expect(run.status).toBe("completed");
    expect(run.output).toEqual({ a: 2, b: 20, c: "2-20" });
    expect(calls).toEqual({ a: 1, a2: 1, c: 1 });
    expect(run.steps.map((s) => s.id)).toEqual([sha1("a"), sha1("a:1"), sha1("c")]);
    expect(run.steps.map((s) => s.output)).toEqual([2, 20, "2-20"]);
    expect(run.steps.every((s) => s.status === "completed" && s.attempts === 1)).toBe(true);
  });

  it("routes events by name, wildcard and `if` expression", async () => {
    const inngest = client("route", ex.url);
    const big = inngest.createFunction(
      { id: "big", triggers: [{ event: "route/order", if: "event.data.amount > 100" }] },
      () => "big",
    );
    const any = inngest.createFunction(
      { id: "any", triggers: [{ event: "route/*" }] },
      ({ event }) => event.name,
    );
    await register(inngest, [big, any]);
    await inngest.send([
      { name: "route/order", data: { amount: 5 } },
      { name: "route/order", data: { amount: 500 } },
    ]);
    await until("two runs of route-any", async () =>
      (await ex.executor.listRuns({ functionId: "route-any" })).runs.length === 2
        ? true
        : undefined,
    );
    const bigRuns = (await ex.executor.listRuns({ functionId: "route-big" })).runs;
    expect(bigRuns).toHaveLength(1);
    const run = await ex.executor.waitForRun(bigRuns[0]?.id ?? "");
    expect((run.event as { data: unknown }).data).toEqual({ amount: 500 });
  });

  it("runs parallel steps (StepPlanned) each exactly once", async () => {
    const calls: string[] = [];
    const inngest = client("par", ex.url);
    const fn = inngest.createFunction(
      { id: "fn", triggers: [{ event: "par/go" }] },
      async ({ step }) => {
        const first = await step.run("first", () => (calls.push("first"), 1));
        const [a, b, c] = await Promise.all(
          ["a", "b", "c"].map((id) =>
            step.run(id, async () => {
              calls.push(id);
              await new Promise((resolve) => setTimeout(resolve, 50));
              return id.toUpperCase();
            }),
          ),
        );
        const last = await step.run("last", () => (calls.push("last"), `${first}${a}${b}${c}`));
        return last;
      },
    );
    await register(inngest, [fn]);
    await inngest.send({ name: "par/go", data: {} });
    const run = await finished("par-fn");
    expect(run.status).toBe("completed");
    expect(run.output).toBe("1ABC");
    expect([...calls].sort()).toEqual(["a", "b", "c", "first", "last"]);
  });

  it("sleeps durably with step.sleep and step.sleepUntil", async () => {
    const inngest = client("sleep", ex.url);
    const fn = inngest.createFunction(
      { id: "fn", triggers: [{ event: "sleep/go" }] },
      async ({ step }) => {
        const before = await step.run("before", () => Date.now());
        await step.sleep("nap", "1s");
        await step.sleepUntil("until", new Date(Date.now() + 1000));
        const after = await step.run("after", () => Date.now());
        return after - before;
      },
    );
    await register(inngest, [fn]);
    await inngest.send({ name: "sleep/go", data: {} });
    const run = await finished("sleep-fn");
    expect(run.status).toBe("completed");
    expect(run.output as number).toBeGreaterThanOrEqual(1900);
    const nap = run.steps.find((s) => s.id === sha1("nap"));
    expect(nap).toMatchObject({ op: "Sleep", status: "completed", output: null });
  });

  it("waits for a matching event (CEL `if` over event and async) and returns null on timeout", async () => {
    const inngest = client("wait", ex.url);
    const fn = inngest.createFunction(
      { id: "fn", triggers: [{ event: "wait/start" }] },
      async ({ step }) => {
        const approval = await step.waitForEvent("approval", {
          event: "wait/approved",
          timeout: "30s",
          if: "event.data.id == async.data.id",
        });
        const never = await step.waitForEvent("never", { event: "wait/never", timeout: "1s" });
        return { approvedBy: (approval?.data as { by?: string } | undefined)?.by ?? null, never };
      },
    );
    await register(inngest, [fn]);
    await inngest.send({ name: "wait/start", data: { id: "r1" } });
    const runId = await runOf(ex.executor, "wait-fn");
    await until("the wait", async () =>
      (await ex.executor.getRun(runId))?.waitingFor.length ? true : undefined,
    );
    await inngest.send({ name: "wait/approved", data: { id: "other", by: "mallory" } });
    await inngest.send({ name: "wait/approved", data: { id: "r1", by: "alice" } });
    const run = await ex.executor.waitForRun(runId, { timeoutMs: 30_000 });
    expect(run.status).toBe("completed");
    expect(run.output).toEqual({ approvedBy: "alice", never: null });
  });

  it("invokes another function and returns its result or its error", async () => {
    const inngest = client("inv", ex.url);
    const child = inngest.createFunction({ id: "child", triggers: [] }, ({ event }) => ({
      doubled: (event.data as { n: number }).n * 2,
    }));
    const failing = inngest.createFunction({ id: "failing", retries: 0, triggers: [] }, () => {
      throw new NonRetriableError("child says no");
    });
    const parent = inngest.createFunction(
      { id: "parent", triggers: [{ event: "inv/go" }] },
      async ({ step }) => {
        const ok = await step.invoke("call-child", { function: child, data: { n: 21 } });
        let failure = "";
        try {
          await step.invoke("call-failing", { function: failing, data: {} });
        } catch (error) {
          failure = (error as Error).message;
        }
        return { ok, failure };
      },
    );
    await register(inngest, [child, failing, parent]);
    await inngest.send({ name: "inv/go", data: {} });
    const run = await finished("inv-parent");
    expect(run.status).toBe("completed");
    expect(run.output).toMatchObject({ ok: { doubled: 42 } });
    expect((run.output as { failure: string }).failure).toContain("child says no");
    const childRuns = await ex.executor.listRuns({ functionId: "inv-child" });
    expect(childRuns.runs[0]?.parentRunId).toBe(run.id);
  });

  it("sends events from a step (step.sendEvent) that trigger other functions", async () => {
    const inngest = client("send", ex.url);
    const sender = inngest.createFunction(
      { id: "sender", triggers: [{ event: "send/go" }] },
      async ({ step }) => {
        const { ids } = await step.sendEvent("fan-out", [
          { name: "send/child", data: { i: 1 } },
          { name: "send/child", data: { i: 2 } },
        ]);
        return ids.length;
      },
    );
    const receiver = inngest.createFunction(
      { id: "receiver", triggers: [{ event: "send/child" }] },
      ({ event }) => (event.data as { i: number }).i,
    );
    await register(inngest, [sender, receiver]);
    await inngest.send({ name: "send/go", data: {} });
    const run = await finished("send-sender");
    expect(run.output).toBe(2);
    const outputs = await until("both receivers", async () => {
      const list = (
        await ex.executor.listRuns({ functionId: "send-receiver", status: "completed" })
      ).runs;
      if (list.length < 2) return undefined;
      return Promise.all(list.map(async (r) => (await ex.executor.getRun(r.id))?.output));
    });
    expect(outputs.sort()).toEqual([1, 2]);
  });

  it("retries a failing step with backoff, then succeeds; counts attempts", async () => {
    let attempts = 0;
    const inngest = client("retry", ex.url);
    const fn = inngest.createFunction(
      { id: "fn", retries: 3, triggers: [{ event: "retry/go" }] },
      async ({ step }) => {
        return step.run("flaky", () => {
          attempts++;
          if (attempts < 3) throw new Error(`flaky failure ${attempts}`);
          return "ok";
        });
      },
    );
    await register(inngest, [fn]);
    await inngest.send({ name: "retry/go", data: {} });
    const run = await finished("retry-fn");
    expect(run.status).toBe("completed");
    expect(run.output).toBe("ok");
    expect(attempts).toBe(3);
    expect(run.steps[0]).toMatchObject({ status: "completed", attempts: 3 });
  });

  it("honours Retry-After (RetryAfterError)", async () => {
    const times: number[] = [];
    const inngest = client("after", ex.url);
    const fn = inngest.createFunction(
      { id: "fn", triggers: [{ event: "after/go" }] },
      async ({ step }) => {
        return step.run("limited", () => {
          times.push(Date.now());
          if (times.length === 1) throw new RetryAfterError("rate limited", 2000);
          return "done";
        });
      },
    );
    await register(inngest, [fn]);
    await inngest.send({ name: "after/go", data: {} });
    const run = await finished("after-fn");
    expect(run.output).toBe("done");
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(1900);
  });

  it("fails without retrying on NonRetriableError, and runs onFailure with the error", async () => {
    let attempts = 0;
    const inngest = client("nonretry", ex.url);
    const fn = inngest.createFunction(
      {
        id: "fn",
        retries: 5,
        triggers: [{ event: "nonretry/go" }],
        onFailure: ({ error, event }) => ({
          handled: error.message,
          original: (event.data as { event: { name: string } }).event.name,
        }),
      },
      async ({ step }) => {
        await step.run("boom", () => {
          attempts++;
          throw new NonRetriableError("permanent");
        });
      },
    );
    await register(inngest, [fn]);
    await inngest.send({ name: "nonretry/go", data: {} });
    const run = await finished("nonretry-fn");
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({ message: expect.stringContaining("permanent") as unknown });
    expect(attempts).toBe(1);
    const failure = await finished("nonretry-fn-failure");
    expect(failure.status).toBe("completed");
    expect(failure.output).toEqual({
      handled: expect.stringContaining("permanent") as unknown,
      original: "nonretry/go",
    });
  });

  it("hands a step that exhausted its retries back to the function as a thrown error (StepFailed)", async () => {
    let attempts = 0;
    const inngest = client("stepfail", ex.url);
    const fn = inngest.createFunction(
      { id: "fn", retries: 2, triggers: [{ event: "stepfail/go" }] },
      async ({ step }) => {
        try {
          await step.run("always-fails", () => {
            attempts++;
            throw new Error(`attempt ${attempts} failed`);
          });
        } catch (error) {
          return { caught: (error as Error).name, message: (error as Error).message };
        }
        return "unreachable";
      },
    );
    await register(inngest, [fn]);
    await inngest.send({ name: "stepfail/go", data: {} });
    const run = await finished("stepfail-fn");
    expect(attempts).toBe(3);
    expect(run.status).toBe("completed");
    // inngest v4 rethrows the step's last error (deserialised) rather than a wrapping StepError.
    expect(run.output).toEqual({ caught: "Error", message: "attempt 3 failed" });
    expect(run.steps[0]).toMatchObject({ status: "failed", attempts: 3 });
  });

  it("fails a function whose own code throws after its retries, with the error recorded", async () => {
    let attempts = 0;
    const inngest = client("fnfail", ex.url);
    const fn = inngest.createFunction(
      { id: "fn", retries: 1, triggers: [{ event: "fnfail/go" }] },
      () => {
        attempts++;
        throw new Error("function body broke");
      },
    );
    await register(inngest, [fn]);
    await inngest.send({ name: "fnfail/go", data: {} });
    const run = await finished("fnfail-fn");
    expect(run.status).toBe("failed");
    expect(attempts).toBe(2);
    expect(run.error).toMatchObject({ message: "function body broke" });
  });

  it("cancels a sleeping run when a cancelOn event matches", async () => {
    const inngest = client("cancel", ex.url);
    const fn = inngest.createFunction(
      {
        id: "fn",
        triggers: [{ event: "cancel/start" }],
        cancelOn: [{ event: "cancel/stop", match: "data.id" }],
      },
      async ({ step }) => {
        await step.sleep("long", "1h");
        return "woke";
      },
    );
    await register(inngest, [fn]);
    await inngest.send({ name: "cancel/start", data: { id: "x" } });
    const runId = await runOf(ex.executor, "cancel-fn");
    await until("the sleep", async () =>
      (await ex.executor.getRun(runId))?.pending.some((p) => p.kind === "sleep") ? true : undefined,
    );
    await inngest.send({ name: "cancel/stop", data: { id: "other" } });
    await inngest.send({ name: "cancel/stop", data: { id: "x" } });
    const run = await ex.executor.waitForRun(runId);
    expect(run.status).toBe("cancelled");
    expect(run.pending).toEqual([]);
  });

  it("limits concurrency per key", async () => {
    const spans: { key: string; start: number; end: number }[] = [];
    const inngest = client("conc", ex.url);
    const fn = inngest.createFunction(
      {
        id: "fn",
        concurrency: { limit: 1, key: "event.data.user" },
        triggers: [{ event: "conc/go" }],
      },
      async ({ event, step }) => {
        await step.run("work", async () => {
          const start = Date.now();
          await new Promise((resolve) => setTimeout(resolve, 150));
          spans.push({ key: (event.data as { user: string }).user, start, end: Date.now() });
        });
      },
    );
    await register(inngest, [fn]);
    await inngest.send(
      ["a", "a", "a", "b", "b"].map((user) => ({ name: "conc/go", data: { user } })),
    );
    await until("five completed runs", async () =>
      (await ex.executor.listRuns({ functionId: "conc-fn", status: "completed" })).runs.length === 5
        ? true
        : undefined,
    );
    for (const key of ["a", "b"]) {
      const mine = spans.filter((s) => s.key === key).sort((x, y) => x.start - y.start);
      for (let i = 1; i < mine.length; i++)
        expect(mine[i]?.start ?? 0).toBeGreaterThanOrEqual(mine[i - 1]?.end ?? Infinity);
    }
  });

  it("starts one run per idempotency key and deduplicates event ids", async () => {
    const inngest = client("idem", ex.url);
    const fn = inngest.createFunction(
      { id: "fn", idempotency: "event.data.orderId", triggers: [{ event: "idem/go" }] },
      () => "ok",
    );
    const plain = inngest.createFunction(
      { id: "plain", triggers: [{ event: "idem/dup" }] },
      () => "ok",
    );
    await register(inngest, [fn, plain]);
    await inngest.send([
      { name: "idem/go", data: { orderId: "o1" } },
      { name: "idem/go", data: { orderId: "o1" } },
      { name: "idem/go", data: { orderId: "o2" } },
    ]);
    const first = await inngest.send({ id: "fixed-id", name: "idem/dup", data: {} });
    const second = await inngest.send({ id: "fixed-id", name: "idem/dup", data: {} });
    expect(first.ids).toEqual(["fixed-id"]);
    expect(second.ids).toEqual(["fixed-id"]);
    await until("two idempotent runs", async () =>
      (await ex.executor.listRuns({ functionId: "idem-fn" })).runs.length >= 2 ? true : undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await ex.executor.listRuns({ functionId: "idem-fn" })).runs).toHaveLength(2);
    expect((await ex.executor.listRuns({ functionId: "idem-plain" })).runs).toHaveLength(1);
  });

  it("runs cron functions with inngest/scheduled.timer", async () => {
    const inngest = client("cron", ex.url);
    const fn = inngest.createFunction(
      { id: "fn", triggers: [{ cron: "* * * * * *" }] },
      ({ event }) => event.name,
    );
    await register(inngest, [fn]);
    const run = await finished("cron-fn");
    expect(run.output).toBe("inngest/scheduled.timer");
    expect(run.event).toMatchObject({
      name: "inngest/scheduled.timer",
      data: { cron: "* * * * * *" },
    });
    const cronJobs = () =>
      db.handle.db
        .select()
        .from(jobs)
        .where(and(eq(jobs.kind, "cron"), eq(jobs.stepId, "cron-fn")));
    expect(await cronJobs()).toHaveLength(1);
    // Re-registering without the cron trigger removes the schedule.
    const quiet = inngest.createFunction(
      { id: "fn", triggers: [{ event: "cron/never" }] },
      () => "x",
    );
    await register(inngest, [quiet]);
    expect(await cronJobs()).toHaveLength(0);
  });

  it("rejects registration of functions with unsupported options, naming them", async () => {
    const inngest = client("unsupported", ex.url);
    const fn = inngest.createFunction(
      {
        id: "fn",
        throttle: { limit: 1, period: "1s" },
        debounce: { period: "5s" },
        triggers: [{ event: "u/go" }],
      },
      () => "x",
    );
    const error = await serveApp(ex.executor, inngest, [fn]).then(
      () => "",
      (e: unknown) => (e as Error).message,
    );
    expect(error).toMatch(/registering .* failed: 400/);
    expect(error).toMatch(/option \\"throttle\\" is not supported/);
    expect(error).toMatch(/option \\"debounce\\" is not supported/);
  });

  it("fails a run that uses an unsupported opcode, naming it", async () => {
    const inngest = client("opcode", ex.url);
    const fn = inngest.createFunction(
      { id: "fn", triggers: [{ event: "opcode/go" }] },
      async ({ step }) => {
        await step.waitForSignal("signal", { signal: "s", timeout: "1m", onConflict: "replace" });
      },
    );
    await register(inngest, [fn]);
    await inngest.send({ name: "opcode/go", data: {} });
    const run = await finished("opcode-fn");
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({
      name: "UnsupportedOpcodeError",
      message: expect.stringContaining("WaitForSignal") as unknown,
    });
  });

  it("serves the runs API over HTTP (list, one run with steps and timings, cancel)", async () => {
    const inngest = client("api", ex.url);
    const fn = inngest.createFunction(
      { id: "fn", triggers: [{ event: "api/go" }] },
      async ({ step }) => {
        await step.run("one", () => 1);
        await step.sleep("wait", "1h");
      },
    );
    await register(inngest, [fn]);
    await inngest.send({ name: "api/go", data: { hello: "world" } });
    const runId = await runOf(ex.executor, "api-fn");
    await until("the sleep", async () =>
      (await ex.executor.getRun(runId))?.pending.some((p) => p.kind === "sleep") ? true : undefined,
    );
    const list = (await (await fetch(`${ex.url}/v1/runs?function_id=api-fn`)).json()) as {
      runs: { id: string; status: string }[];
    };
    expect(list.runs).toEqual([expect.objectContaining({ id: runId, status: "running" })]);
    const detail = (await (await fetch(`${ex.url}/v1/runs/${runId}`)).json()) as {
      event: { data: unknown };
      steps: { displayName: string; status: string; output: unknown; durationMs: number | null }[];
    };
    expect(detail.event.data).toEqual({ hello: "world" });
    expect(detail.steps[0]).toMatchObject({ displayName: "one", status: "completed", output: 1 });
    expect(typeof detail.steps[0]?.durationMs).toBe("number");
    expect(detail.steps[1]).toMatchObject({ displayName: "wait", status: "sleeping" });
    const cancel = await fetch(`${ex.url}/v1/runs/${runId}/cancel`, { method: "POST" });
    expect(cancel.status).toBe(200);
    expect((await ex.executor.getRun(runId))?.status).toBe("cancelled");
    expect((await fetch(`${ex.url}/v1/runs/nope`)).status).toBe(404);
    const invalid = await fetch(`${ex.url}/e/key`, {
      method: "POST",
      body: JSON.stringify([{ data: {} }]),
    });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: string }).error).toMatch(/^events\[0\]: name/);
    expect((await fetch(`${ex.url}/v1/runs?status=bogus`)).status).toBe(400);
  });
});
