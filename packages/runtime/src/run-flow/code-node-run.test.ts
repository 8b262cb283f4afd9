import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { DbHandle } from "@runnel/db";
import { applyMigrations, createDb } from "@runnel/db";
import { getRunWithSteps } from "@runnel/engine";
import { flowOf, seedFlow } from "@runnel/engine/testing";

import type { EmbeddedEngine } from "../testing";
import { startEmbeddedEngine } from "../testing";

/**
 * The Code node's limits as a user meets them: the run fails on the Code node with the sandbox's message, and
 * another org's run is not held up meanwhile (the engine, its executor and the default pool, on PGlite).
 */
describe("Code node limits in a run", () => {
  let handle: DbHandle;
  let engine: EmbeddedEngine;
  beforeAll(async () => {
    handle = await createDb();
    await applyMigrations(handle);
    engine = await startEmbeddedEngine({ handle, pollMs: 5 });
    await engine.services.sandbox.warmUp();
  }, 120_000);
  afterAll(async () => {
    await engine.close();
    await handle.close();
  });

  const codeFlow = (code: string, config: Record<string, unknown> = {}) =>
    flowOf(
      [{ id: "code", type: "code", version: 1, name: "Code", config: { code, ...config } }],
      [["start", "code"]],
    );

  async function start(definition: ReturnType<typeof flowOf>) {
    const seeded = await seedFlow(handle.db, definition);
    const { run } = await engine.start({
      orgId: seeded.orgId,
      versionId: seeded.flowVersionId,
      input: {},
      trigger: { kind: "manual" },
    });
    return { orgId: seeded.orgId, runId: run.id };
  }

  it("fails the run on the Code node with the time limit's message while another org's run succeeds", async () => {
    const endless = await start(codeFlow("while (true) {}", { timeoutMs: 3_000 }));
    const trivial = await start(
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
    const trivialDone = await engine.waitForRun(trivial.orgId, trivial.runId, undefined, 60_000);
    expect(trivialDone.status).toBe("succeeded");
    const failed = await engine.waitForRun(endless.orgId, endless.runId, undefined, 60_000);
    expect(failed.status).toBe("failed");
    expect(failed.failedNodeId).toBe("code");
    // The other org's run did not wait for the endless one.
    expect(trivialDone.finishedAt?.getTime()).toBeLessThan(failed.finishedAt?.getTime() ?? 0);
    expect(failed.error?.message).toMatch(
      /^Code node exceeded its 3000 ms time limit and was stopped/,
    );
    const detail = await getRunWithSteps(handle.db, endless.orgId, endless.runId);
    const step = detail?.steps.find((s) => s.nodeId === "code");
    expect(step?.status).toBe("failed");
  }, 120_000);

  it("fails the run with the memory limit's message", async () => {
    const bomb = await start(
      codeFlow("const parts = []; for (let i = 0; ; i++) parts.push('x'.repeat(1e6 + i));", {
        memoryMb: 16,
        timeoutMs: 30_000,
      }),
    );
    const failed = await engine.waitForRun(bomb.orgId, bomb.runId, undefined, 90_000);
    expect(failed.status).toBe("failed");
    expect(failed.error?.message).toMatch(
      /^Code node exceeded its 16 MB memory limit and was stopped/,
    );
  }, 120_000);
});
