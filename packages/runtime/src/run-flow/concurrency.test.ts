import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { TestDb } from "@runnel/db/testing";
import type { HitServer } from "@runnel/engine/testing";
import { createTestDb } from "@runnel/db/testing";
import { addFlow, flowOf, seedFlow, startHitServer } from "@runnel/engine/testing";

import type { EmbeddedEngine } from "../testing";
import { RUN_FLOW_BINDINGS, startEmbeddedEngine } from "../testing";

/**
 * Tenant fairness: runFlow's concurrency is keyed by org. With a limit of 1, two runs of one org execute their
 * slow steps one after the other, while a run of another org executes alongside them.
 */
for (const runFlow of RUN_FLOW_BINDINGS)
  describe(`runFlow (${runFlow}) concurrency per org`, () => {
    let handle: TestDb;
    let engine: EmbeddedEngine;
    let server: HitServer;

    beforeAll(async () => {
      handle = await createTestDb();
      server = await startHitServer();
      engine = await startEmbeddedEngine({ handle, concurrencyPerOrg: 1, runFlow });
    }, 120_000);

    afterAll(async () => {
      await engine.close();
      await server.close();
      await handle.close();
    });

    const slowFlow = (path: string) =>
      flowOf(
        [
          {
            id: "call",
            type: "http_request",
            version: 1,
            name: "Call",
            config: { url: `${server.url}${path}?ms=800` },
            settings: { retries: 0, timeoutMs: 10_000, onError: "fail" },
          },
        ],
        [["start", "call"]],
      );

    it("limits executing steps per org, not across orgs", async () => {
      const orgA1 = await seedFlow(handle.db, slowFlow("/slow/org-a-1"));
      const orgA2 = await addFlow(handle.db, orgA1.orgId, slowFlow("/slow/org-a-2"));
      const orgB = await seedFlow(handle.db, slowFlow("/slow/org-b"));
      const starts = [
        { orgId: orgA1.orgId, versionId: orgA1.flowVersionId },
        { orgId: orgA1.orgId, versionId: orgA2.flowVersionId },
        { orgId: orgB.orgId, versionId: orgB.flowVersionId },
      ];
      const runs = await Promise.all(
        starts.map((start) => engine.start({ ...start, input: {}, trigger: { kind: "manual" } })),
      );
      for (const [index, { run }] of runs.entries()) {
        const finished = await engine.waitForRun(starts[index]?.orgId ?? "", run.id);
        expect(finished.status).toBe("succeeded");
      }
      const [a1] = server.spans("/slow/org-a-1");
      const [a2] = server.spans("/slow/org-a-2");
      const [b] = server.spans("/slow/org-b");
      if (!a1 || !a2 || !b) throw new Error("every run should have called the server");
      const overlaps = (x: [number, number], y: [number, number]) => x[0] < y[1] && y[0] < x[1];
      expect(overlaps(a1, a2)).toBe(false);
      expect(overlaps(b, a1) || overlaps(b, a2)).toBe(true);
    }, 60_000);
  });
