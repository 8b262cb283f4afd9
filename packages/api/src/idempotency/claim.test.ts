/**
 * The idempotency key store on each driver: a claim is shared by every request of one key while it is remembered,
 * refused for another request, taken anew after it expires, and concurrent claims from two pools (two server
 * processes) agree on one claim.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";

import type { DbHandle } from "@runnel/db";
import { and, createDb, eq, sql } from "@runnel/db";
import { idempotencyKeys, orgs } from "@runnel/db/schema";
import { describeEachDriver } from "@runnel/db/testing";

import {
  claimIdempotencyKey,
  deleteExpiredIdempotencyKeys,
  IdempotencyKeyReusedError,
} from "./claim";
import { fingerprintJson } from "./request";

describeEachDriver(
  "idempotency key claims",
  (suite) => {
    let orgId: string;
    let other: DbHandle | undefined;

    beforeAll(async () => {
      orgId = randomUUID();
      await suite.db.insert(orgs).values({ id: orgId, name: "Keys", slug: `keys-${orgId}` });
      // A second pool of its own, as a second server process has (PGlite is one process: same handle).
      other = suite.handle.url
        ? await createDb({ url: suite.handle.url, driver: "pg", maxConnections: 4 })
        : undefined;
    });
    afterAll(async () => {
      await other?.close();
    });

    const request = (key: string, body: unknown) => ({
      orgId,
      scope: "runs",
      key,
      requestHash: fingerprintJson(body),
    });

    it("the first use claims the key; a repeat gets the same claim; key order in the body does not matter", async () => {
      const first = await claimIdempotencyKey(
        suite.db,
        request("k1", { a: 1, b: [1, { c: 2, d: 3 }] }),
      );
      const again = await claimIdempotencyKey(
        suite.db,
        request("k1", { b: [1, { d: 3, c: 2 }], a: 1 }),
      );
      expect(first.fresh).toBe(true);
      expect(again).toEqual({ claimId: first.claimId, fresh: false });
      // Another scope or org holds its own key of the same name.
      const elsewhere = await claimIdempotencyKey(suite.db, {
        ...request("k1", {}),
        scope: "hook:x",
      });
      expect(elsewhere.fresh).toBe(true);
    });

    it("a different request under a remembered key is refused with when it was first used", async () => {
      await claimIdempotencyKey(suite.db, request("k2", { amount: 10 }));
      const refused = await claimIdempotencyKey(suite.db, request("k2", { amount: 11 })).catch(
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(IdempotencyKeyReusedError);
      expect((refused as Error).message).toMatch(
        /^Idempotency-Key "k2" was first used at .* different target or body/,
      );
      const [row] = await suite.db
        .select()
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.orgId, orgId), eq(idempotencyKeys.key, "k2")));
      expect(row?.requestHash).toBe(fingerprintJson({ amount: 10 }));
      const ttl = (row?.expiresAt.getTime() ?? 0) - (row?.createdAt.getTime() ?? 0);
      expect(ttl).toBe(24 * 60 * 60 * 1000);
    });

    it("after the key expires a reuse, with any body, makes a new claim; the sweep deletes expired keys", async () => {
      const first = await claimIdempotencyKey(suite.db, request("k3", { v: 1 }));
      await suite.db
        .update(idempotencyKeys)
        .set({ expiresAt: sql`now() - interval '1 second'` })
        .where(and(eq(idempotencyKeys.orgId, orgId), eq(idempotencyKeys.key, "k3")));
      const renewed = await claimIdempotencyKey(suite.db, request("k3", { v: 2 }));
      expect(renewed.fresh).toBe(true);
      expect(renewed.claimId).not.toBe(first.claimId);
      expect(await claimIdempotencyKey(suite.db, request("k3", { v: 2 }))).toEqual({
        claimId: renewed.claimId,
        fresh: false,
      });

      await claimIdempotencyKey(suite.db, { ...request("k4", {}), ttlSeconds: 1 });
      await suite.db
        .update(idempotencyKeys)
        .set({ expiresAt: sql`now() - interval '1 second'` })
        .where(and(eq(idempotencyKeys.orgId, orgId), eq(idempotencyKeys.key, "k4")));
      expect(await deleteExpiredIdempotencyKeys(suite.db)).toBeGreaterThanOrEqual(1);
      const left = await suite.db
        .select({ key: idempotencyKeys.key })
        .from(idempotencyKeys)
        .where(eq(idempotencyKeys.orgId, orgId));
      expect(left.map((row) => row.key).sort()).toEqual(["k1", "k1", "k2", "k3"]);
    });

    it("16 concurrent claims of one key from two pools agree on one claim, exactly one of them fresh", async () => {
      const pools = [suite.db, other?.db ?? suite.db];
      const claims = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          claimIdempotencyKey(pools[i % 2] ?? suite.db, request("race", { same: true })),
        ),
      );
      expect(new Set(claims.map((claim) => claim.claimId)).size).toBe(1);
      expect(claims.filter((claim) => claim.fresh)).toHaveLength(1);
    });
  },
  { drivers: ["pglite", "pg"] },
);
