import { monitorEventLoopDelay } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { SandboxPool } from "./pool";
import { SandboxError } from "./errors";
import { createSandboxPool } from "./pool";

const MiB = 1024 * 1024;

async function failure(promise: Promise<unknown>): Promise<SandboxError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SandboxError);
  return error as SandboxError;
}

/** The value of `start()` and how long it took, clocked from before the call. */
async function timed<T>(start: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await start();
  return [value, performance.now() - started];
}

/**
 * Elapsed time of a run and the most this thread's event loop was held up meanwhile: on a machine
 * shared by many processes the scheduler can delay any timer, so a bound on the limit's precision
 * allows for that delay (measured, not guessed) on top of its 100 ms.
 */
async function timedWithLag<T>(start: () => Promise<T>): Promise<[T, number, number]> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const [value, elapsed] = await timed(start);
  delay.disable();
  return [value, elapsed, Math.max(0, delay.max / 1e6 - 10)];
}

async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Busy-waits `ms` inside QuickJS (it has Date but no timers). */
const busyFor = (ms: number) =>
  `const end = Date.now() + ${ms}; while (Date.now() < end) {} return "done";`;
const MEMORY_BOMB = "const parts = []; for (let i = 0; ; i++) parts.push('x'.repeat(1e6 + i));";
/** One native call QuickJS does not interrupt: only the host's watchdog can stop it in time. */
const UNINTERRUPTIBLE = "const s = 'a'.repeat(2e7); return s.replace(/a/g, 'bb').length;";

describe("sandbox pool: limits the host enforces", () => {
  let pool: SandboxPool;
  beforeAll(async () => {
    pool = createSandboxPool({ workers: 4, prewarm: 4, maxConcurrentPerOrg: 2 });
    await pool.warmUp();
  }, 120_000);
  afterAll(() => pool.close());

  it("stops while (true) within 100 ms of its time limit", async () => {
    const [error, elapsed, lag] = await timedWithLag(() =>
      failure(pool.run({ code: "while (true) {}", input: null, timeoutMs: 400 }, "org-a")),
    );
    expect(error.code).toBe("SANDBOX_TIMEOUT");
    expect(error.message).toMatch(/^Code node exceeded its 400 ms time limit/);
    expect(elapsed).toBeGreaterThanOrEqual(395);
    expect(elapsed).toBeLessThan(400 + 100 + lag);
  });

  it("terminates a worker stuck in one long native call within 100 ms and replaces it", async () => {
    const before = pool.stats();
    const [error, elapsed, lag] = await timedWithLag(() =>
      // A short limit: the native call must outlast it by more than the watchdog's grace even on an idle machine.
      failure(pool.run({ code: UNINTERRUPTIBLE, input: null, timeoutMs: 60 }, "org-a")),
    );
    expect(error.code).toBe("SANDBOX_TIMEOUT");
    expect(elapsed).toBeLessThan(60 + 100 + lag);
    const after = pool.stats();
    expect(after.watchdogKills).toBe(before.watchdogKills + 1);
    expect(after.restarts).toBe(before.restarts + 1);
    await until(() => pool.stats().idle === 4);
    const out = await pool.run({ code: "return input * 2;", input: 21 }, "org-a");
    expect(out.result).toBe(42);
  });

  it("stops memory bombs at their limit and keeps the process under 1 GB while ten run", async () => {
    // 32 MB bombs keep this test short on a loaded machine; bench/sandbox.ts runs ten 64 MB ones.
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 10);
    try {
      const bombs = Array.from({ length: 10 }, (_, i) =>
        failure(
          pool.run(
            { code: MEMORY_BOMB, input: null, timeoutMs: 30_000, memoryLimitBytes: 32 * MiB },
            `org-bomb-${i % 5}`,
          ),
        ),
      );
      for (const error of await Promise.all(bombs)) {
        expect(error.code).toBe("SANDBOX_MEMORY");
        expect(error.message).toMatch(/^Code node exceeded its 32 MB memory limit/);
      }
    } finally {
      clearInterval(sampler);
    }
    expect(peakRss).toBeLessThan(1024 * MiB);
    // Each bomb's QuickJS module (and so its WebAssembly memory) is dropped, and no worker is lost.
    expect(pool.stats()).toMatchObject({ idle: 4, memoryKills: 10, modulesDropped: 10 });
  }, 120_000);

  it("answers another org's trivial call quickly while one org runs endless loops and memory bombs", async () => {
    const attack = [
      ...Array.from({ length: 5 }, () => ({ code: "while (true) {}", timeoutMs: 2_000 })),
      ...Array.from({ length: 5 }, () => ({ code: MEMORY_BOMB, timeoutMs: 2_000 })),
    ].map(({ code, timeoutMs }) =>
      failure(
        pool.run({ code, input: null, timeoutMs, memoryLimitBytes: 64 * MiB }, "org-attacker"),
      ),
    );
    await until(() => pool.stats().runningByOrg["org-attacker"] === 2);
    const latencies: number[] = [];
    for (let i = 0; i < 10; i++) {
      const [out, elapsed] = await timed(() =>
        pool.run({ code: "return input + 1;", input: i }, "org-victim"),
      );
      expect(out.result).toBe(i + 1);
      latencies.push(elapsed);
    }
    expect(pool.stats().runningByOrg["org-attacker"]).toBe(2);
    expect(Math.max(...latencies)).toBeLessThan(500);
    for (const error of await Promise.all(attack)) {
      expect(["SANDBOX_TIMEOUT", "SANDBOX_MEMORY"]).toContain(error.code);
    }
  }, 120_000);
});

describe("sandbox pool: fairness and bounds", () => {
  const pools: SandboxPool[] = [];
  afterAll(() => Promise.all(pools.map((pool) => pool.close())));
  async function warmPool(options: Parameters<typeof createSandboxPool>[0]) {
    const pool = createSandboxPool(options);
    pools.push(pool);
    await pool.warmUp();
    return pool;
  }

  it("runs one org's work FIFO within its concurrency cap and serves a second org in between", async () => {
    const pool = await warmPool({ workers: 2, prewarm: 2, maxConcurrentPerOrg: 1 });
    const finished: string[] = [];
    const track = (name: string, promise: Promise<unknown>) =>
      promise.then(() => {
        finished.push(name);
      });
    let mostRunning = 0;
    const sampler = setInterval(() => {
      mostRunning = Math.max(mostRunning, pool.stats().runningByOrg["org-a"] ?? 0);
    }, 5);
    const a = ["a1", "a2", "a3"].map((name) =>
      track(name, pool.run({ code: busyFor(250), input: null, timeoutMs: 5_000 }, "org-a")),
    );
    const b = track("b1", pool.run({ code: busyFor(50), input: null }, "org-b"));
    await Promise.all([...a, b]);
    clearInterval(sampler);
    expect(mostRunning).toBe(1);
    expect(finished).toEqual(["b1", "a1", "a2", "a3"]);
  }, 60_000);

  it("refuses work past the per-org and total queue bounds with an error saying so", async () => {
    const pool = await warmPool({ workers: 1, prewarm: 1, maxQueued: 2, maxQueuedPerOrg: 1 });
    const running = pool.run({ code: busyFor(300), input: null }, "org-a");
    const waitingA = pool.run({ code: "return 'a2';", input: null }, "org-a");
    const refusedA = await failure(pool.run({ code: "return 'a3';", input: null }, "org-a"));
    expect(refusedA.code).toBe("SANDBOX_QUEUE_FULL");
    expect(refusedA.message).toMatch(/this organisation already has 1 code runs waiting/);
    const waitingB = pool.run({ code: "return 'b1';", input: null }, "org-b");
    const refusedC = await failure(pool.run({ code: "return 'c1';", input: null }, "org-c"));
    expect(refusedC.message).toMatch(/2 code runs are already waiting for the sandbox/);
    expect((await Promise.all([running, waitingA, waitingB])).map((out) => out.result)).toEqual([
      "done",
      "a2",
      "b1",
    ]);
    expect(pool.stats().rejectedQueueFull).toBe(2);
  }, 60_000);

  it("fails waiting and running work clearly when closed", async () => {
    const pool = await warmPool({ workers: 1, prewarm: 1 });
    const running = failure(
      pool.run({ code: busyFor(2_000), input: null, timeoutMs: 5_000 }, "org-a"),
    );
    const waiting = failure(pool.run({ code: "return 1;", input: null }, "org-a"));
    await pool.close();
    expect((await running).code).toBe("SANDBOX_CLOSED");
    expect((await waiting).code).toBe("SANDBOX_CLOSED");
    expect((await failure(pool.run({ code: "return 1;", input: null }, "org-a"))).message).toBe(
      "The code sandbox is shut down",
    );
  }, 60_000);
});
