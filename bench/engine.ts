/**
 * Engine benchmark: runFlow's overhead per node (a 100-node chain of Set nodes, ms per node, median of several
 * runs) and the end-to-end time of a 10-node flow (start → run succeeded), through the local executor with
 * runFlow served in-process (inngest/edge), on PGlite (in memory) and, when DATABASE_URL or TEST_DATABASE_URL is
 * set, on that Postgres server (in a fresh database, dropped afterwards).
 *
 *   pnpm --filter @runnel/bench exec tsx engine.ts
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres pnpm --filter @runnel/bench exec tsx engine.ts
 * Environment: BENCH_CHAIN_RUNS (100-node runs, 5), BENCH_SMALL_RUNS (10-node runs, 10), BENCH_SKIP_PGLITE=1.
 */
import { cpus, loadavg } from "node:os";

import type { DbHandle } from "@runnel/db";
import { applyMigrations } from "@runnel/db";

import { flowOf, seedFlow } from "../packages/engine/src/testing/index";
import { startEmbeddedEngine } from "../packages/runtime/src/testing/index";
import { forEachBenchDatabase } from "./databases";

const CHAIN = 100;
const SMALL = 10;
const CHAIN_RUNS = Number(process.env.BENCH_CHAIN_RUNS ?? 5);
const SMALL_RUNS = Number(process.env.BENCH_SMALL_RUNS ?? 10);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

/** A manual trigger followed by `count` Set nodes in a chain, each adding one field. */
function chain(count: number) {
  const nodes = Array.from({ length: count }, (_, i) => ({
    id: `n${i}`,
    type: "set",
    version: 1,
    name: `n${i}`,
    config: { fields: [{ name: `f${i}`, value: i }] },
  }));
  const edges: [string, string][] = nodes.map((node, i) => [
    i === 0 ? "start" : `n${i - 1}`,
    node.id,
  ]);
  return flowOf(nodes, edges);
}

async function bench(label: string, handle: DbHandle): Promise<void> {
  await applyMigrations(handle);
  const handlerTime = { ms: 0 };
  const engine = await startEmbeddedEngine({ handle, pollMs: 5, handlerTime });
  const timeRuns = async (
    count: number,
    runs: number,
  ): Promise<{ times: number[]; handler: number[] }> => {
    const seeded = await seedFlow(handle.db, chain(count));
    const times: number[] = [];
    const handler: number[] = [];
    for (let r = 0; r < runs; r++) {
      handlerTime.ms = 0;
      const started = performance.now();
      const { run } = await engine.start({
        orgId: seeded.orgId,
        versionId: seeded.flowVersionId,
        input: {},
        trigger: { kind: "manual" },
      });
      const finished = await engine.waitForRun(seeded.orgId, run.id, undefined, 600_000);
      if (finished.status !== "succeeded")
        throw new Error(`run ${run.id} ${finished.status}: ${JSON.stringify(finished.error)}`);
      times.push(performance.now() - started);
      handler.push(handlerTime.ms);
    }
    return { times, handler };
  };
  // One warm-up run compiles the code paths (JIT, prepared statements) before measuring.
  await timeRuns(SMALL - 1, 1);
  const chainRuns = await timeRuns(CHAIN, CHAIN_RUNS);
  const smallRuns = await timeRuns(SMALL - 1, SMALL_RUNS);
  const chainTimes = chainRuns.times;
  const smallTimes = smallRuns.times;
  console.log(
    JSON.stringify({
      database: label,
      msPerNodeMedian: Number((median(chainTimes) / (CHAIN + 1)).toFixed(2)),
      // Time inside the serve handler (the SDK replaying the function, plus runFlow's step code and its writes).
      handlerMsPerNodeMedian: Number((median(chainRuns.handler) / (CHAIN + 1)).toFixed(2)),
      chainRunsMs: chainTimes.map((v) => Math.round(v)),
      tenNodeFlowMsMedian: Math.round(median(smallTimes)),
      tenNodeRunsMs: smallTimes.map((v) => Math.round(v)),
      loadAverage: loadavg().map((v) => Number(v.toFixed(1))),
      cores: cpus().length,
    }),
  );
  await engine.close();
}

await forEachBenchDatabase("engine", bench);
