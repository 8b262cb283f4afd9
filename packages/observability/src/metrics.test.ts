import { describe, expect, it } from "vitest";

import { createMetrics } from "./metrics";
import { runEvents } from "./testing";

/** The value of one sample in the text exposition format. */
function sample(text: string, name: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe("createMetrics", () => {
  it("counts runs and step latencies from run events, and reads queue depth and pool usage at scrape", async () => {
    let busy = 1;
    const metrics = createMetrics({
      queueDepth: () => Promise.resolve({ queued: 3, waiting: 1 }),
      sandboxPool: () => ({ size: 4, busy, queued: 2 }),
    });
    metrics.observe(
      runEvents("run_a", [{ nodeId: "set", status: "succeeded", durationMs: 3 }], "succeeded"),
    );
    metrics.observe(
      runEvents(
        "run_b",
        [
          { nodeId: "set", status: "succeeded", durationMs: 20 },
          { nodeId: "http", status: "failed", durationMs: 700 },
        ],
        "failed",
      ),
    );
    busy = 3;
    const text = await metrics.render();
    expect(sample(text, "runnel_runs_started_total")).toBe(2);
    expect(sample(text, 'runnel_runs_finished_total{status="succeeded"}')).toBe(1);
    expect(sample(text, 'runnel_runs_finished_total{status="failed"}')).toBe(1);
    expect(sample(text, "runnel_runs_failed_total")).toBe(1);
    expect(sample(text, 'runnel_step_duration_seconds_count{status="succeeded"}')).toBe(2);
    expect(sample(text, 'runnel_step_duration_seconds_bucket{le="0.005",status="succeeded"}')).toBe(
      1,
    );
    expect(sample(text, 'runnel_step_duration_seconds_bucket{le="0.5",status="failed"}')).toBe(0);
    expect(sample(text, 'runnel_step_duration_seconds_bucket{le="1",status="failed"}')).toBe(1);
    expect(sample(text, 'runnel_step_duration_seconds_sum{status="failed"}')).toBeCloseTo(0.7);
    expect(sample(text, 'runnel_run_duration_seconds_count{status="failed"}')).toBe(1);
    expect(sample(text, 'runnel_runs_unfinished{status="queued"}')).toBe(3);
    expect(sample(text, 'runnel_runs_unfinished{status="running"}')).toBe(0);
    expect(sample(text, 'runnel_runs_unfinished{status="waiting"}')).toBe(1);
    expect(sample(text, 'runnel_sandbox_pool_workers{state="busy"}')).toBe(3);
    expect(sample(text, 'runnel_sandbox_pool_workers{state="idle"}')).toBe(1);
    expect(sample(text, "process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(metrics.contentType).toContain("text/plain");
  });

  it("leaves the queue depth out of a scrape when the database does not answer", async () => {
    let fail = false;
    const metrics = createMetrics({
      queueDepth: () => (fail ? Promise.reject(new Error("down")) : Promise.resolve({ queued: 2 })),
    });
    expect(sample(await metrics.render(), 'runnel_runs_unfinished{status="queued"}')).toBe(2);
    fail = true;
    const text = await metrics.render();
    expect(sample(text, 'runnel_runs_unfinished{status="queued"}')).toBeUndefined();
    expect(sample(text, "runnel_runs_started_total")).toBe(0);
  });

  it("leaves out the gauges whose source this process does not have", async () => {
    const text = await createMetrics().render();
    expect(text).not.toContain("runnel_runs_unfinished");
    expect(text).not.toContain("runnel_sandbox_pool_workers");
    expect(sample(text, "runnel_runs_started_total")).toBe(0);
  });
});
