import { afterAll, beforeAll, expect, it } from "vitest";

import { eq, sql } from "@runnel/db";
import { deployments, flowVersions, runs } from "@runnel/db/schema";
import { describeEachDriver } from "@runnel/db/testing";
import {
  FlowVersionUnavailableError,
  RerunNodeError,
  resolveFlowVersion,
  RunNotFoundError,
  startRerun,
  startTestRun,
} from "@runnel/engine";
import { flowOf, seedFlow, seedOrg } from "@runnel/engine/testing";

import type { EmbeddedEngine } from "../testing";
import { RUN_FLOW_BINDINGS, startEmbeddedEngine } from "../testing";

const echo = flowOf(
  [
    {
      id: "echo",
      type: "set",
      version: 1,
      name: "Echo",
      config: { keep: "none", fields: [{ name: "said", value: "{{ trigger.word }}" }] },
    },
  ],
  [["start", "echo"]],
);

/** Postgres's error code of a failed statement (drizzle wraps the driver's error in `cause`). */
function pgCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; cause?: { code?: unknown } };
  const code = e.code ?? e.cause?.code;
  return typeof code === "string" ? code : undefined;
}

async function refusal(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error("expected the statement to be refused");
}

for (const runFlow of RUN_FLOW_BINDINGS)
  describeEachDriver(
    `test runs (${runFlow})`,
    (suite) => {
      let engine: EmbeddedEngine;

      beforeAll(async () => {
        engine = await startEmbeddedEngine({ handle: suite.handle, runFlow });
      }, 120_000);
      afterAll(async () => {
        await engine.close();
      });

      it("snapshots the draft as a test version that runs but is never a published version", async () => {
        const seeded = await seedFlow(suite.db, echo);
        const { orgId, flowId } = seeded;
        const deps = { db: suite.db, sendEvent: engine.sendEvent, bus: engine.bus, orgId };
        const started = [];
        for (const word of ["one", "two"]) {
          const { run } = await startTestRun({
            ...deps,
            flowId,
            definition: echo,
            input: { word },
            trigger: { kind: "manual" },
          });
          started.push(run);
          const done = await engine.waitForRun(orgId, run.id);
          expect(done).toMatchObject({ status: "succeeded", output: { said: word } });
        }
        const snapshots = await suite.db
          .select({ id: flowVersions.id, kind: flowVersions.kind, number: flowVersions.number })
          .from(flowVersions)
          .where(eq(flowVersions.flowId, flowId));
        expect(snapshots.filter((v) => v.kind === "test").map((v) => v.number)).toEqual([0, 0]);
        expect(await resolveFlowVersion(suite.db, orgId, flowId)).toEqual({
          id: seeded.flowVersionId,
          number: 1,
        });

        const testVersionId = started[0]?.flowVersionId ?? "";
        // The database keeps snapshots immutable and out of deployments.
        const update = await refusal(
          suite.db
            .update(flowVersions)
            .set({ message: "changed" })
            .where(eq(flowVersions.id, testVersionId)),
        );
        expect(update).toBeDefined();
        const pinned = await refusal(
          suite.db
            .insert(deployments)
            .values({ orgId, flowId, versionId: testVersionId, slug: "pinned-to-a-test" }),
        );
        expect(pgCode(pinned)).toBe("23514");
        const numbered = await refusal(
          suite.db
            .insert(flowVersions)
            .values({ orgId, flowId, kind: "test", number: 2, definition: echo }),
        );
        expect(pgCode(numbered)).toBe("23514");
      });

      it("a flow with only test snapshots has no published version to run", async () => {
        const seeded = await seedFlow(suite.db, echo);
        await suite.db.delete(flowVersions).where(eq(flowVersions.id, seeded.flowVersionId));
        await startTestRun({
          db: suite.db,
          sendEvent: engine.sendEvent,
          orgId: seeded.orgId,
          flowId: seeded.flowId,
          definition: echo,
          input: { word: "x" },
          trigger: { kind: "manual" },
        });
        await expect(resolveFlowVersion(suite.db, seeded.orgId, seeded.flowId)).rejects.toThrow(
          FlowVersionUnavailableError,
        );
      });

      it("startRerun checks everything before writing: another org's run, an unknown node", async () => {
        const seeded = await seedFlow(suite.db, echo);
        const { run } = await engine.start({
          orgId: seeded.orgId,
          versionId: seeded.flowVersionId,
          input: { word: "hi" },
          trigger: { kind: "manual" },
        });
        await engine.waitForRun(seeded.orgId, run.id);
        const counts = async () => {
          const [r] = await suite.db.select({ n: sql<number>`count(*)::int` }).from(runs);
          const [v] = await suite.db.select({ n: sql<number>`count(*)::int` }).from(flowVersions);
          return [r?.n, v?.n];
        };
        const before = await counts();
        const other = await seedOrg(suite.db);
        const base = { db: suite.db, sendEvent: engine.sendEvent };
        await expect(
          startRerun({
            ...base,
            orgId: other,
            runId: run.id,
            nodeId: "echo",
            draft: { definition: echo },
          }),
        ).rejects.toThrow(RunNotFoundError);
        await expect(
          startRerun({ ...base, orgId: seeded.orgId, runId: run.id, nodeId: "nope" }),
        ).rejects.toThrow(RerunNodeError);
        expect(await counts()).toEqual(before);
      });
    },
    { drivers: ["pglite", "pg"] },
  );
