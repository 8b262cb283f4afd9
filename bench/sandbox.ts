/**
 * Code sandbox benchmark (docs/benchmarks.md, "Sandbox"): the worker-thread pool that runs Code nodes.
 *
 *   pnpm --filter @runnel/bench exec tsx sandbox.ts
 *
 * Prints: a worker's cold start; the first call on a prewarmed pool; a trivial call's latency through the pool
 * against the same QuickJS run on this thread (the difference is the pool's overhead); then the stress: while
 * one org keeps ten 64 MB memory bombs and ten endless loops (2 s limit) going, another org's trivial calls, p50
 * and p99 against idle, and the process RSS at its peak; the same stress through whole runs (the engine with its
 * executor and default pool on PGlite in memory, as in bench/engine.ts): Code-node runs of bombs and loops by one
 * org while another org's trivial runs (manual trigger → Set) go start to finish; and the cost of typical
 * expressions ({{ }}, CEL, on the server's thread) with the largest bounded one. Environment: BENCH_SECONDS
 * (each stress, 20), BENCH_CALLS (idle trivial calls, 300), BENCH_RUNS (idle trivial runs, 30).
 */
import { loadavg } from "node:os";
import { newQuickJSWASMModule } from "quickjs-emscripten";

import { applyMigrations, createDb } from "@runnel/db";

import type { WorkerJob } from "../packages/engine/src/services/sandbox/protocol";
import { flowOf, seedFlow, startEmbeddedEngine } from "../packages/engine/src/runtime/harness";
import { resolveSandboxSettings } from "../packages/engine/src/services/sandbox/options";
import { createSandboxPool } from "../packages/engine/src/services/sandbox/pool";
import { runInQuickJs } from "../packages/engine/src/services/sandbox/quickjs-run";
import { startSandboxWorker } from "../packages/engine/src/services/sandbox/start-worker";
import { expressions } from "./expressions";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CALLS = Number(process.env.BENCH_CALLS ?? 300);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const MiB = 1024 * 1024;
const TRIVIAL = "return input + 1;";
const MEMORY_BOMB =
  "let s = ''; const parts = []; for (;;) { s += 'x'.repeat(1000); parts.push(s); }";
const ENDLESS = "while (true) {}";

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, at)] ?? NaN;
}
const ms = (value: number) => `${value.toFixed(2)} ms`;
const mb = (bytes: number) => `${Math.round(bytes / MiB)} MB`;
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(" ");

async function time<T>(work: () => Promise<T>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

async function coldStarts(): Promise<number[]> {
  const warmCapBytes = 160 * MiB;
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const worker = await startSandboxWorker({
      workerData: { warmCapBytes, recycleAboveBytes: 128 * MiB },
    });
    times.push(performance.now() - started);
    await worker.terminate();
  }
  return times;
}

/** The same trivial run on this thread, without a worker: what the pool adds is the difference. */
async function inThread(): Promise<number[]> {
  const quickjs = await newQuickJSWASMModule();
  const settings = resolveSandboxSettings();
  const times: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const job: WorkerJob = {
      id: i,
      code: TRIVIAL,
      inputJson: String(i),
      timeoutMs: 1_000,
      deadline: Date.now() + 1_000,
      memoryBytes: 64 * MiB,
      wasmCapBytes: 160 * MiB,
      limits: settings,
    };
    const started = performance.now();
    const { outcome } = runInQuickJs(quickjs, job, () => false);
    times.push(performance.now() - started);
    if (!outcome.ok) throw new Error(outcome.message);
  }
  return times;
}

async function trivialCalls(
  run: (i: number) => Promise<unknown>,
  count: number,
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) times.push(await time(() => run(i)));
  return times;
}

/** Whole runs: another org's trivial runs, idle and while one org's Code-node runs hold bombs and loops. */
async function runsUnderAttack(): Promise<void> {
  const handle = await createDb();
  await applyMigrations(handle);
  const engine = await startEmbeddedEngine({ handle, pollMs: 5 });
  try {
    const victim = await seedFlow(
      handle.db,
      flowOf(
        [
          {
            id: "set",
            type: "set",
            version: 1,
            name: "Set",
            config: { fields: [{ name: "ok", value: true }] },
          },
        ],
        [["start", "set"]],
      ),
    );
    const codeFlow = (code: string) =>
      seedFlow(
        handle.db,
        flowOf(
          [
            {
              id: "code",
              type: "code",
              version: 1,
              name: "Code",
              config: { code, timeoutMs: 2_000, memoryMb: 64 },
            },
          ],
          [["start", "code"]],
        ),
      );
    const [bomb, loop] = await Promise.all([codeFlow(MEMORY_BOMB), codeFlow(ENDLESS)]);
    const trivialRun = async () => {
      const started = performance.now();
      const { run } = await engine.start({
        orgId: victim.orgId,
        versionId: victim.flowVersionId,
        input: {},
        trigger: { kind: "manual" },
      });
      const finished = await engine.waitForRun(victim.orgId, run.id, undefined, 120_000);
      if (finished.status !== "succeeded") throw new Error(`trivial run ${finished.status}`);
      return performance.now() - started;
    };
    await trivialRun();
    const idle: number[] = [];
    for (let i = 0; i < RUNS; i++) idle.push(await trivialRun());

    let attacking = true;
    let attackRuns = 0;
    const attacker = async (seeded: { orgId: string; flowVersionId: string }) => {
      while (attacking) {
        const { run } = await engine.start({
          orgId: seeded.orgId,
          versionId: seeded.flowVersionId,
          input: {},
          trigger: { kind: "manual" },
        });
        await engine.waitForRun(seeded.orgId, run.id, undefined, 120_000);
        attackRuns++;
      }
    };
    const attackers = [
      ...Array.from({ length: 10 }, () => attacker(bomb)),
      ...Array.from({ length: 10 }, () => attacker(loop)),
    ];
    const baselineRss = process.memoryUsage().rss;
    let peakRss = baselineRss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 10);
    const underAttack: number[] = [];
    const stopAt = Date.now() + SECONDS * 1000;
    while (Date.now() < stopAt) underAttack.push(await trivialRun());
    attacking = false;
    await Promise.all(attackers);
    clearInterval(sampler);
    console.log(
      `\nRuns, ${SECONDS} s: one org keeps 10 Code-node runs with a memory bomb and 10 with an endless loop going ` +
        `(64 MB, 2 s; ${attackRuns} finished), another org runs manual → Set start to finish (engine default pool: ` +
        `${JSON.stringify(engine.services.sandbox.stats())}).`,
    );
    console.log(
      `  trivial run: idle p50 ${ms(percentile(idle, 50))} p99 ${ms(percentile(idle, 99))}; under attack ` +
        `${underAttack.length} runs, p50 ${ms(percentile(underAttack, 50))} p99 ${ms(percentile(underAttack, 99))} ` +
        `max ${ms(Math.max(...underAttack))} → p99 ${(percentile(underAttack, 99) / percentile(idle, 99)).toFixed(2)}× idle`,
    );
    console.log(
      `  process RSS: before ${mb(baselineRss)}, peak ${mb(peakRss)}; load average ${load()}`,
    );
  } finally {
    await engine.close();
    await handle.close();
  }
}

async function main(): Promise<void> {
  console.log(`Sandbox benchmark, load average ${load()}\n`);

  const cold = await coldStarts();
  console.log(
    `Worker cold start (thread + QuickJS module), 5 starts: ${cold.map((t) => t.toFixed(0)).join(", ")} ms`,
  );

  const pool = createSandboxPool({ workers: 4, prewarm: 4, maxConcurrentPerOrg: 2 });
  await pool.warmUp();
  const first = await time(() => pool.run({ code: TRIVIAL, input: 1 }, "org-victim"));
  console.log(`First call on a prewarmed pool: ${ms(first)}`);

  await inThread();
  const direct = await inThread();
  const idle = await trivialCalls(
    (i) => pool.run({ code: TRIVIAL, input: i }, "org-victim"),
    CALLS,
  );
  console.log(
    `Trivial call, ${CALLS} in a row: through the pool p50 ${ms(percentile(idle, 50))} p99 ${ms(percentile(idle, 99))}; ` +
      `same run on this thread p50 ${ms(percentile(direct, 50))} p99 ${ms(percentile(direct, 99))}; ` +
      `pool overhead p50 ${ms(percentile(idle, 50) - percentile(direct, 50))}`,
  );

  const baselineRss = process.memoryUsage().rss;
  let peakRss = baselineRss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 10);
  let attacking = true;
  const attackOutcomes: Record<string, number> = {};
  const attacker = async (code: string) => {
    while (attacking) {
      await pool
        .run({ code, input: null, timeoutMs: 2_000, memoryLimitBytes: 64 * MiB }, "org-attacker")
        .then(
          () => (attackOutcomes.ok = (attackOutcomes.ok ?? 0) + 1),
          (error: { code?: string }) => {
            const key = error.code ?? "other";
            attackOutcomes[key] = (attackOutcomes[key] ?? 0) + 1;
          },
        );
    }
  };
  const attackers = [
    ...Array.from({ length: 10 }, () => attacker(MEMORY_BOMB)),
    ...Array.from({ length: 10 }, () => attacker(ENDLESS)),
  ];
  const loadDuring: string[] = [];
  const underAttack: number[] = [];
  const stopAt = Date.now() + SECONDS * 1000;
  let i = 0;
  while (Date.now() < stopAt) {
    underAttack.push(await time(() => pool.run({ code: TRIVIAL, input: i++ }, "org-victim")));
    if (underAttack.length % 100 === 0) loadDuring.push(load());
  }
  attacking = false;
  await Promise.all(attackers);
  clearInterval(sampler);
  const stats = pool.stats();
  console.log(
    `\nStress, ${SECONDS} s: org-attacker keeps 10 memory bombs (64 MB) and 10 endless loops (2 s) queued; ` +
      `org-victim runs trivial calls one after another.`,
  );
  console.log(
    `  victim: ${underAttack.length} calls, p50 ${ms(percentile(underAttack, 50))} p99 ${ms(percentile(underAttack, 99))} ` +
      `max ${ms(Math.max(...underAttack))}; idle p50 ${ms(percentile(idle, 50))} p99 ${ms(percentile(idle, 99))} ` +
      `→ p99 ${(percentile(underAttack, 99) / percentile(idle, 99)).toFixed(2)}× idle`,
  );
  console.log(`  attacker outcomes: ${JSON.stringify(attackOutcomes)}`);
  console.log(
    `  process RSS: before ${mb(baselineRss)}, peak ${mb(peakRss)}, after ${mb(process.memoryUsage().rss)}`,
  );
  console.log(`  pool: ${JSON.stringify(stats)}`);
  console.log(`  load average during: ${loadDuring.join(" | ")}`);
  await pool.close();

  await runsUnderAttack();
  expressions();
  console.log(`\nload average at the end ${load()}`);
}

await main();
