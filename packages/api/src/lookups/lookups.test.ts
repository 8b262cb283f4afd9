/**
 * Hook and deployment lookups cached per process and dropped on the database's change notices: two app instances
 * (own pools, own caches, own change feeds) on one database. A change made through one instance is served by the
 * other on its next request once the notice has arrived; until a notice comes, the other keeps serving from memory.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";

import type { Database, DbHandle } from "@runnel/db";
import type { FlowDefinitionInput } from "@runnel/engine";
import { and, createDb, eq, sql } from "@runnel/db";
import { memberships, runs, triggers } from "@runnel/db/schema";
import { describeEachDriver } from "@runnel/db/testing";
import { createInProcessEventBus } from "@runnel/engine";

import type { RestDeps } from "../rest/handler";
import type { LookupChanges } from "./invalidation";
import { createHookHandler } from "../hooks/handler";
import { createRestHandler } from "../rest/handler";
import { appRouter } from "../root";
import { createCallerFactory, createTRPCContext } from "../trpc";
import { createLookups } from "./index";
import { listenForLookupChanges } from "./invalidation";

const createCaller = createCallerFactory(appRouter);
const encryptionKey = randomBytes(32);

function hookFlow(label: string): FlowDefinitionInput {
  return {
    nodes: [
      { id: "hook", type: "webhook_trigger", version: 1, name: "Hook", config: {} },
      { id: "api", type: "api_trigger", version: 1, name: "Api", config: {} },
      {
        id: "set",
        type: "set",
        version: 1,
        name: label,
        config: { keep: "none", fields: [{ name: "label", value: label }] },
      },
    ],
    edges: [
      { id: "e1", source: "hook", sourcePort: "out", target: "set", targetPort: "in" },
      { id: "e2", source: "api", sourcePort: "out", target: "set", targetPort: "in" },
    ],
  };
}

/** One app instance: its own pool (on PGlite, the one handle), change feed, caches and handlers. */
async function instance(db: Database, handle: Pick<DbHandle, "driver" | "pglite">, url?: string) {
  const changes: LookupChanges = await listenForLookupChanges(handle, url);
  const lookups = createLookups(() => Promise.resolve(changes));
  const deps: RestDeps = {
    db,
    engine: { sendEvent: () => Promise.resolve(), bus: createInProcessEventBus({ db }) },
    encryptionKey,
    appUrl: "http://localhost:3000",
    lookups,
  };
  expect(await lookups.ready()).toBe(true);
  return {
    changes,
    lookups,
    hook: createHookHandler(deps),
    rest: createRestHandler(deps),
    /** Resolves with when (performance.now()) the next change notice for `orgId` arrived. */
    nextNotice(orgId: string): Promise<number> {
      return new Promise((resolve) => {
        const stop = changes.subscribe((changed) => {
          if (changed !== orgId) return;
          stop();
          resolve(performance.now());
        });
      });
    },
  };
}

describeEachDriver(
  "lookups cached per process, invalidated by the database's notices",
  (suite) => {
    let other: DbHandle | undefined;
    let a: Awaited<ReturnType<typeof instance>>;
    let b: Awaited<ReturnType<typeof instance>>;

    beforeAll(async () => {
      const url = suite.handle.url;
      other = url ? await createDb({ url, driver: "pg", maxConnections: 4 }) : undefined;
      a = await instance(suite.db, suite.handle, url);
      b = await instance(other?.db ?? suite.db, other ?? suite.handle, url);
    });
    afterAll(async () => {
      await a.lookups.close();
      await b.lookups.close();
      await other?.close();
    });

    async function owner() {
      const anonymous = createCaller(
        await createTRPCContext({
          headers: new Headers(),
          db: suite.db,
          session: null,
          encryptionKey,
          appUrl: "http://x",
        }),
      );
      const email = `owner-${randomBytes(4).toString("hex")}@example.com`;
      const { userId } = await anonymous.auth.signUp({
        name: "Owner",
        email,
        password: "correct-horse-9",
      });
      const [membership] = await suite.db
        .select()
        .from(memberships)
        .where(eq(memberships.userId, userId));
      if (!membership) throw new Error("sign-up made no membership");
      const caller = createCaller(
        await createTRPCContext({
          headers: new Headers(),
          db: suite.db,
          session: { userId },
          encryptionKey,
          appUrl: "http://x",
        }),
      );
      return { caller, orgId: membership.orgId };
    }

    const versionOfRun = async (response: Response) => {
      const { runId } = (await response.json()) as { runId: string };
      const [run] = await suite.db
        .select({ versionId: runs.flowVersionId })
        .from(runs)
        .where(eq(runs.id, runId));
      return run?.versionId;
    };

    it("a webhook: B serves from memory until a notice, then the newly published version on its next request", async () => {
      const { caller, orgId } = await owner();
      const flow = await caller.flows.create({ name: "Cached Hook" });
      await caller.flows.saveDraft({ id: flow.id, definition: hookFlow("v1") });
      const v1 = await caller.flows.publish({ id: flow.id });
      const [webhook] = (await caller.triggers.list({ flowId: flow.id })).webhooks;
      if (!webhook) throw new Error("no webhook row");
      const deliver = (to: typeof a) =>
        to.hook(
          new Request(`http://x/api/hooks/${webhook.hookId}`, { method: "POST", body: "{}" }),
        );

      expect(await versionOfRun(await deliver(b))).toBe(v1.id);
      expect(b.lookups.size).toBeGreaterThan(0);
      // A change that sends no notice (triggers off for this transaction): B still serves its cached hook, A reads
      // the database and finds none. This is what proves B did not read the database.
      await suite.db.transaction(async (tx) => {
        await tx.execute(sql`set local session_replication_role = replica`);
        await tx.update(triggers).set({ enabled: false }).where(eq(triggers.id, webhook.id));
      });
      expect((await deliver(b)).status).toBe(202);
      expect((await deliver(a)).status).toBe(404);
      await suite.db.transaction(async (tx) => {
        await tx.execute(sql`set local session_replication_role = replica`);
        await tx.update(triggers).set({ enabled: true }).where(eq(triggers.id, webhook.id));
      });

      // Publishing through A (the flows router on A's pool) notifies B.
      await caller.flows.saveDraft({ id: flow.id, definition: hookFlow("v2") });
      const noticed = b.nextNotice(orgId);
      const v2 = await caller.flows.publish({ id: flow.id });
      const published = performance.now();
      const ms = (await noticed) - published;
      expect(await versionOfRun(await deliver(b))).toBe(v2.id);
      console.info(
        `[${suite.driver}] the other instance's notice came ${ms.toFixed(2)} ms after publish returned (negative: before)`,
      );

      // Disabling the flow's webhook by deleting the flow: the next delivery is 404.
      const gone = b.nextNotice(orgId);
      await caller.flows.delete({ id: flow.id });
      await gone;
      expect((await deliver(b)).status).toBe(404);
    });

    it("a deployment: B runs the newly pinned version on its next request; unpublished is 404", async () => {
      const { caller, orgId } = await owner();
      const { key } = await caller.apiKeys.create({ name: "cache" });
      const flow = await caller.flows.create({ name: "Cached Deploy" });
      await caller.flows.saveDraft({ id: flow.id, definition: hookFlow("v1") });
      const v1 = await caller.flows.publish({ id: flow.id });
      await caller.deployments.publish({ flowId: flow.id });
      const start = (to: typeof a) =>
        to.rest(
          new Request(`http://x/api/v1/flows/${flow.id}/runs`, {
            method: "POST",
            headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
            body: "{}",
          }),
        );
      expect(await versionOfRun(await start(b))).toBe(v1.id);
      await caller.flows.saveDraft({ id: flow.id, definition: hookFlow("v2") });
      const v2 = await caller.flows.publish({ id: flow.id });
      // A new published version alone does not move the deployment's pin.
      expect(await versionOfRun(await start(b))).toBe(v1.id);
      const repinned = b.nextNotice(orgId);
      await caller.deployments.publish({ flowId: flow.id });
      await repinned;
      expect(await versionOfRun(await start(b))).toBe(v2.id);
      const unpublished = b.nextNotice(orgId);
      await caller.deployments.unpublish({ flowId: flow.id });
      await unpublished;
      expect((await start(b)).status).toBe(404);
    });

    it("another org's change leaves this org's entries cached", async () => {
      const first = await owner();
      const second = await owner();
      const flow = await first.caller.flows.create({ name: "Kept" });
      await first.caller.flows.saveDraft({ id: flow.id, definition: hookFlow("v1") });
      await first.caller.flows.publish({ id: flow.id });
      const [webhook] = (await first.caller.triggers.list({ flowId: flow.id })).webhooks;
      if (!webhook) throw new Error("no webhook row");
      await b.hook(
        new Request(`http://x/api/hooks/${webhook.hookId}`, { method: "POST", body: "{}" }),
      );
      const before = b.lookups.size;
      const noticed = b.nextNotice(second.orgId);
      const other = await second.caller.flows.create({ name: "Elsewhere" });
      await second.caller.flows.saveDraft({ id: other.id, definition: hookFlow("x") });
      await second.caller.flows.publish({ id: other.id });
      await noticed;
      expect(b.lookups.size).toBe(before);
      const stillHook = await suite.db
        .select({ id: triggers.id })
        .from(triggers)
        .where(and(eq(triggers.id, webhook.id), eq(triggers.enabled, true)));
      expect(stillHook).toHaveLength(1);
    });
  },
  { drivers: ["pglite", "pg"] },
);
