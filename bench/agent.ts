/**
 * Agent benchmark: Runnel's own overhead per agent iteration (one model call + one tool call), over the fake
 * OpenAI-compatible provider and an HTTP tool on loopback, on PGlite (in memory) and, when DATABASE_URL or
 * TEST_DATABASE_URL is set, on that Postgres server.
 *
 * One run = an agent that makes ITERATIONS model calls, each asking for one HTTP tool call, then answers. Per run:
 *   wall      start → run succeeded;
 *   model     Σ of the model steps' latencyMs (client work in the AI SDK + the loopback round trip + the fake);
 *   tool      Σ of the tool steps' latencyMs (the HTTP request to the local server).
 * overhead/iteration = (wall − model − tool) / iterations: the steps, their commits, the history rebuild and the
 * journal. `withModelClient` adds the model calls' own time back (an upper bound: it includes the fake's time).
 * Target (issue 13): ≤ 5 ms per iteration.
 *
 *   pnpm --filter @runnel/bench exec tsx agent.ts
 * Environment: BENCH_AGENT_ITERATIONS (20), BENCH_AGENT_RUNS (5), BENCH_SKIP_PGLITE=1.
 */
import { randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";

import type { DbHandle } from "@runnel/db";
import { applyMigrations } from "@runnel/db";

import type { AgentResult } from "../packages/nodes/src/index";
import { startFakeOpenAI, startHitServer } from "../packages/engine/src/testing/index";
import { seedAgentFlow } from "../packages/runtime/src/run-flow/fixtures/agent-flows";
import { startEmbeddedEngine } from "../packages/runtime/src/testing/index";
import { forEachBenchDatabase } from "./databases";

const ITERATIONS = Number(process.env.BENCH_AGENT_ITERATIONS ?? 20);
const RUNS = Number(process.env.BENCH_AGENT_RUNS ?? 5);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};
const round = (value: number) => Number(value.toFixed(2));

async function bench(label: string, handle: DbHandle): Promise<void> {
  await applyMigrations(handle);
  const masterKey = randomBytes(32);
  const hits = await startHitServer();
  // Turn i (i tool results so far) asks for lookup i, until ITERATIONS tool calls were made.
  const provider = await startFakeOpenAI({
    reply: (request) => {
      const messages = Array.isArray(request.body.messages) ? request.body.messages : [];
      const done = messages.filter(
        (m: unknown) => typeof m === "object" && m !== null && "role" in m && m.role === "tool",
      ).length;
      return done < ITERATIONS
        ? { toolCalls: [{ id: `call_${done}`, name: "lookup", arguments: { key: `k${done}` } }] }
        : "Done.";
    },
  });
  const engine = await startEmbeddedEngine({ handle, pollMs: 5, masterKey });
  const seeded = await seedAgentFlow(handle.db, {
    masterKey,
    baseUrl: provider.baseUrl,
    hitsUrl: hits.url,
    agent: { maxSteps: Math.min(ITERATIONS + 1, 50) },
  });
  const runOnce = async () => {
    const started = performance.now();
    const { run } = await engine.start({
      orgId: seeded.orgId,
      versionId: seeded.versionId,
      input: { question: "Look everything up." },
      trigger: { kind: "manual" },
    });
    const finished = await engine.waitForRun(seeded.orgId, run.id, undefined, 600_000);
    const wall = performance.now() - started;
    if (finished.status !== "succeeded")
      throw new Error(`run ${run.id} ${finished.status}: ${JSON.stringify(finished.error)}`);
    const output = finished.output as AgentResult;
    let model = 0;
    let tool = 0;
    for (const step of output.steps)
      if (step.kind === "model") model += step.latencyMs;
      else tool += step.latencyMs;
    return { wall, model, tool };
  };
  await runOnce(); // warm-up: JIT, prepared statements, the sandbox-free code paths
  const samples = [];
  for (let r = 0; r < RUNS; r++) samples.push(await runOnce());
  const overhead = samples.map((s) => (s.wall - s.model - s.tool) / ITERATIONS);
  const withModelClient = samples.map((s) => (s.wall - s.tool) / ITERATIONS);
  console.log(
    JSON.stringify({
      database: label,
      iterations: ITERATIONS,
      overheadMsPerIterationMedian: round(median(overhead)),
      overheadMsPerIteration: overhead.map(round),
      withModelClientMsPerIterationMedian: round(median(withModelClient)),
      modelMsPerCallMedian: round(median(samples.map((s) => s.model / (ITERATIONS + 1)))),
      toolMsPerCallMedian: round(median(samples.map((s) => s.tool / ITERATIONS))),
      runsMs: samples.map((s) => Math.round(s.wall)),
      loadAverage: loadavg().map((v) => Number(v.toFixed(1))),
      cores: cpus().length,
    }),
  );
  await engine.close();
  await provider.close();
  await hits.close();
}

await forEachBenchDatabase("agent", bench);
