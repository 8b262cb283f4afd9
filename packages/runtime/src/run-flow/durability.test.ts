import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { TestDb } from "@runnel/db/testing";
import type { HitServer } from "@runnel/engine/testing";
import { availableDrivers, createTestDb } from "@runnel/db/testing";
import { startHitServer } from "@runnel/engine/testing";

import { RUN_FLOW_BINDINGS } from "../testing";
import { children, kill, startEngineProcess, until } from "./fixtures/engine-processes";

/**
 * kill -9 mid-run, and kill -9 between a run's commit and its start request: a child process runs the executor and runFlow on a PGlite data folder (or, with
 * TEST_DATABASE_URL, a server database). It is SIGKILLed while the middle node's request is in flight, then
 * started again on the same database: the run finishes, and the nodes that had completed are not executed again
 * (counted at the local HTTP server the HTTP nodes call).
 */
let server: HitServer;
let work: string;
let serverDb: TestDb | undefined;

const startEngine = (args: string[]) =>
  startEngineProcess("src/run-flow/fixtures/engine-process.ts", args);

beforeAll(async () => {
  server = await startHitServer();
  work = mkdtempSync(join(tmpdir(), "runnel-kill-"));
  if (availableDrivers().includes("pg")) serverDb = await createTestDb({ driver: "pg" });
}, 60_000);

afterAll(async () => {
  await Promise.all([...children].map(kill));
  await server.close();
  await serverDb?.close();
  rmSync(work, { recursive: true, force: true });
});

for (const runFlow of RUN_FLOW_BINDINGS) {
  const driver = availableDrivers().includes("pg") ? "pg" : "pglite";
  describe(`runFlow (${runFlow}) survives kill -9 [${driver}]`, () => {
    it("resumes the run after a restart without executing completed nodes again", async () => {
      const database = serverDb?.url
        ? ["--url", serverDb.url]
        : ["--data-dir", join(work, `pglite-${runFlow}`)];
      const options = [...database, "--run-flow", runFlow, "--tag", runFlow];
      const first = startEngine([...options, "--seed", "--hits", server.url]);
      const { ready } = await first.next("ready");
      if (!ready) throw new Error("no ready line");
      await until("the slow node's request", () => server.hits(`/slow/kill-slow-${runFlow}`) === 1);
      expect(server.hits(`/count/kill-first-${runFlow}`)).toBe(1);
      await kill(first.proc);

      const second = startEngine([...options, "--run-id", ready.runId, "--org-id", ready.orgId]);
      const { finished } = await second.next("finished");
      expect(finished?.status).toBe("succeeded");
      expect(server.hits(`/count/kill-first-${runFlow}`)).toBe(1);
      // The node that was in flight when the process died runs again; the one after it runs once.
      expect(server.hits(`/slow/kill-slow-${runFlow}`)).toBe(2);
      expect(server.hits(`/count/kill-last-${runFlow}`)).toBe(1);
    }, 300_000);

    it("delivers a run whose process died between its commit and its start request, once", async () => {
      const database = serverDb?.url
        ? ["--url", serverDb.url]
        : ["--data-dir", join(work, `pglite-outbox-${runFlow}`)];
      const options = [...database, "--run-flow", runFlow, "--tag", runFlow];
      const first = startEngine([
        ...options,
        "--seed",
        "--stop-after-commit",
        "--hits",
        server.url,
      ]);
      const { ready } = await first.next("ready");
      if (!ready) throw new Error("no ready line");
      await kill(first.proc);
      expect(server.hits(`/count/outbox-only-${runFlow}`)).toBe(0);

      // The next process finds the committed start request and delivers it.
      const second = startEngine([...options, "--run-id", ready.runId, "--org-id", ready.orgId]);
      const { finished } = await second.next("finished");
      expect(finished?.status).toBe("succeeded");
      expect(server.hits(`/count/outbox-only-${runFlow}`)).toBe(1);
    }, 300_000);
  });
}
