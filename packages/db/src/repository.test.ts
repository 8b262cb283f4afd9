import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import type { Database, DbHandle } from "./client";
import { applyMigrations, appMigrations, createDb, queryRows } from "./client";
import { isUniqueViolation, pgError } from "./errors";
import {
  accounts,
  apiKeys,
  approvals,
  auditLog,
  credentials,
  deployments,
  flows,
  flowVersions,
  invitations,
  memberships,
  orgs,
  runBlobs,
  runEvents,
  runs,
  runSteps,
  sessions,
  triggers,
  users,
  verificationTokens,
} from "./schema";
import { describeEachDriver, startNeonProxy } from "./testing";

const unique = () => randomUUID().slice(0, 8);

async function newUser(db: Database, name = "Ada") {
  const [user] = await db
    .insert(users)
    .values({ name, email: `${name.toLowerCase()}-${unique()}@example.com` })
    .returning();
  if (!user) throw new Error("insert into users returned no row");
  return user;
}

async function newOrg(db: Database) {
  const slug = `org-${unique()}`;
  const [org] = await db
    .insert(orgs)
    .values({ name: `Org ${slug}`, slug })
    .returning();
  if (!org) throw new Error("insert into orgs returned no row");
  return org;
}

/** A flow with one published version and one run in `orgId`: the parents of the workflow tables. */
async function newRun(db: Database, orgId: string) {
  const [flow] = await db
    .insert(flows)
    .values({ orgId, name: "Flow", slug: `flow-${unique()}` })
    .returning();
  if (!flow) throw new Error("insert into flows returned no row");
  const [version] = await db
    .insert(flowVersions)
    .values({ orgId, flowId: flow.id, number: 1, definition: { nodes: [], edges: [] } })
    .returning();
  if (!version) throw new Error("insert into flow_versions returned no row");
  const [run] = await db
    .insert(runs)
    .values({
      orgId,
      flowId: flow.id,
      flowVersionId: version.id,
      triggerKind: "manual",
      input: { q: 1 },
    })
    .returning();
  if (!run) throw new Error("insert into runs returned no row");
  return { flow, version, run };
}

async function expectRejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the query to fail, it succeeded");
}

const journal = JSON.parse(
  readFileSync(join(appMigrations.migrationsFolder, "meta/_journal.json"), "utf8"),
) as {
  entries: unknown[];
};

describeEachDriver("db repository", (suite) => {
  describe("CRUD on every table", () => {
    it("users", async () => {
      const { db } = suite;
      const user = await newUser(db);
      expect(user.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(user.createdAt).toBeInstanceOf(Date);
      await db.update(users).set({ name: "Ada L." }).where(eq(users.id, user.id));
      const [read] = await db.select().from(users).where(eq(users.id, user.id));
      expect(read?.name).toBe("Ada L.");
      await db.delete(users).where(eq(users.id, user.id));
      expect(await db.$count(users, eq(users.id, user.id))).toBe(0);
    });

    it("accounts", async () => {
      const { db } = suite;
      const user = await newUser(db);
      const providerAccountId = unique();
      await db
        .insert(accounts)
        .values({ userId: user.id, type: "oauth", provider: "github", providerAccountId });
      const key = and(
        eq(accounts.provider, "github"),
        eq(accounts.providerAccountId, providerAccountId),
      );
      await db
        .update(accounts)
        .set({ access_token: "token-1", expires_at: 1_700_000_000 })
        .where(key);
      const [read] = await db.select().from(accounts).where(key);
      expect(read).toMatchObject({
        userId: user.id,
        access_token: "token-1",
        expires_at: 1_700_000_000,
      });
      await db.delete(accounts).where(key);
      expect(await db.$count(accounts, key)).toBe(0);
    });

    it("sessions", async () => {
      const { db } = suite;
      const user = await newUser(db);
      const sessionToken = unique();
      const expires = new Date("2030-01-01T00:00:00.000Z");
      await db.insert(sessions).values({ sessionToken, userId: user.id, expires });
      const later = new Date("2031-01-01T00:00:00.000Z");
      await db
        .update(sessions)
        .set({ expires: later })
        .where(eq(sessions.sessionToken, sessionToken));
      const [read] = await db
        .select()
        .from(sessions)
        .where(eq(sessions.sessionToken, sessionToken));
      expect(read?.expires.toISOString()).toBe(later.toISOString());
      await db.delete(sessions).where(eq(sessions.sessionToken, sessionToken));
      expect(await db.$count(sessions, eq(sessions.sessionToken, sessionToken))).toBe(0);
    });

    it("verification_tokens", async () => {
      const { db } = suite;
      const identifier = `v-${unique()}@example.com`;
      await db
        .insert(verificationTokens)
        .values({ identifier, token: "t1", expires: new Date("2030-01-01") });
      const key = and(
        eq(verificationTokens.identifier, identifier),
        eq(verificationTokens.token, "t1"),
      );
      await db
        .update(verificationTokens)
        .set({ expires: new Date("2030-06-01") })
        .where(key);
      const [read] = await db.select().from(verificationTokens).where(key);
      expect(read?.expires.toISOString()).toBe(new Date("2030-06-01").toISOString());
      const deleted = await db.delete(verificationTokens).where(key).returning();
      expect(deleted).toHaveLength(1);
    });

    it("orgs", async () => {
      const { db } = suite;
      const org = await newOrg(db);
      expect(org.personal).toBe(false);
      await db.update(orgs).set({ name: "Renamed", personal: true }).where(eq(orgs.id, org.id));
      const [read] = await db.select().from(orgs).where(eq(orgs.id, org.id));
      expect(read).toMatchObject({ name: "Renamed", personal: true, slug: org.slug });
      await db.delete(orgs).where(eq(orgs.id, org.id));
      expect(await db.$count(orgs, eq(orgs.id, org.id))).toBe(0);
    });

    it("memberships", async () => {
      const { db } = suite;
      const [org, user] = [await newOrg(db), await newUser(db)];
      await db.insert(memberships).values({ orgId: org.id, userId: user.id, role: "viewer" });
      const key = and(eq(memberships.orgId, org.id), eq(memberships.userId, user.id));
      await db.update(memberships).set({ role: "admin" }).where(key);
      const [read] = await db.select().from(memberships).where(key);
      expect(read?.role).toBe("admin");
      const bad = await expectRejection(
        db.insert(memberships).values({ orgId: org.id, userId: user.id, role: "owner" }),
      );
      expect(isUniqueViolation(bad)).toBe(true);
      await db.delete(memberships).where(key);
      expect(await db.$count(memberships, key)).toBe(0);
    });

    it("invitations", async () => {
      const { db } = suite;
      const [org, inviter, invitee] = [
        await newOrg(db),
        await newUser(db),
        await newUser(db, "Bob"),
      ];
      const [invite] = await db
        .insert(invitations)
        .values({
          orgId: org.id,
          tokenHash: unique(),
          role: "editor",
          invitedBy: inviter.id,
          expiresAt: new Date(Date.now() + 86_400_000),
        })
        .returning();
      if (!invite) throw new Error("insert into invitations returned no row");
      const acceptedAt = new Date();
      await db
        .update(invitations)
        .set({ acceptedAt, acceptedBy: invitee.id })
        .where(eq(invitations.id, invite.id));
      const [read] = await db.select().from(invitations).where(eq(invitations.id, invite.id));
      expect(read).toMatchObject({ acceptedBy: invitee.id, role: "editor", revokedAt: null });
      await db.delete(invitations).where(eq(invitations.id, invite.id));
      expect(await db.$count(invitations, eq(invitations.id, invite.id))).toBe(0);
    });

    it("api_keys", async () => {
      const { db } = suite;
      const [org, user] = [await newOrg(db), await newUser(db)];
      const [key] = await db
        .insert(apiKeys)
        .values({
          orgId: org.id,
          name: "ci",
          prefix: "rk_abc",
          hash: unique(),
          createdBy: user.id,
          scopes: ["runs:write"],
        })
        .returning();
      if (!key) throw new Error("insert into api_keys returned no row");
      expect(key.scopes).toEqual(["runs:write"]);
      const revokedAt = new Date();
      await db
        .update(apiKeys)
        .set({ lastUsedAt: revokedAt, revokedAt })
        .where(eq(apiKeys.id, key.id));
      const [read] = await db.select().from(apiKeys).where(eq(apiKeys.id, key.id));
      expect(read?.revokedAt?.getTime()).toBe(revokedAt.getTime());
      await db.delete(apiKeys).where(eq(apiKeys.id, key.id));
      expect(await db.$count(apiKeys, eq(apiKeys.id, key.id))).toBe(0);
    });

    it("credentials", async () => {
      const { db } = suite;
      const org = await newOrg(db);
      const [credential] = await db
        .insert(credentials)
        .values({ orgId: org.id, type: "openai", name: "OpenAI", secret: "v1.ciphertext" })
        .returning();
      if (!credential) throw new Error("insert into credentials returned no row");
      expect(credential.keyVersion).toBe(1);
      await db
        .update(credentials)
        .set({ name: "OpenAI prod", secret: "v1.other", updatedAt: new Date() })
        .where(eq(credentials.id, credential.id));
      const [read] = await db.select().from(credentials).where(eq(credentials.id, credential.id));
      expect(read).toMatchObject({ name: "OpenAI prod", secret: "v1.other" });
      await db.delete(credentials).where(eq(credentials.id, credential.id));
      expect(await db.$count(credentials, eq(credentials.id, credential.id))).toBe(0);
    });

    it("audit_log", async () => {
      const { db } = suite;
      const [entry] = await db
        .insert(auditLog)
        .values({
          orgId: randomUUID(),
          action: "api_key.created",
          metadata: { prefix: "rk_abc", nested: { n: 1 } },
        })
        .returning();
      if (!entry) throw new Error("insert into audit_log returned no row");
      await db
        .update(auditLog)
        .set({ targetType: "api_key", targetId: "k1" })
        .where(eq(auditLog.id, entry.id));
      const [read] = await db.select().from(auditLog).where(eq(auditLog.id, entry.id));
      expect(read).toMatchObject({
        targetType: "api_key",
        metadata: { prefix: "rk_abc", nested: { n: 1 } },
      });
      await db.delete(auditLog).where(eq(auditLog.id, entry.id));
      expect(await db.$count(auditLog, eq(auditLog.id, entry.id))).toBe(0);
    });

    it("flows, flow_versions, deployments and triggers", async () => {
      const { db } = suite;
      const org = await newOrg(db);
      const { flow, version } = await newRun(db, org.id);
      await db
        .update(flows)
        .set({ draft: { nodes: [{ id: "a" }], edges: [] } })
        .where(eq(flows.id, flow.id));
      const [readFlow] = await db.select().from(flows).where(eq(flows.id, flow.id));
      expect(readFlow?.draft).toEqual({ nodes: [{ id: "a" }], edges: [] });
      const [readVersion] = await db
        .select()
        .from(flowVersions)
        .where(eq(flowVersions.id, version.id));
      expect(readVersion).toMatchObject({ number: 1, flowId: flow.id });

      const [deployment] = await db
        .insert(deployments)
        .values({ orgId: org.id, flowId: flow.id, versionId: version.id, slug: `d-${unique()}` })
        .returning();
      await db
        .update(deployments)
        .set({ enabled: false })
        .where(eq(deployments.id, deployment?.id ?? ""));
      const [readDeployment] = await db
        .select()
        .from(deployments)
        .where(eq(deployments.id, deployment?.id ?? ""));
      expect(readDeployment?.enabled).toBe(false);

      const hookId = unique();
      const [trigger] = await db
        .insert(triggers)
        .values({ orgId: org.id, flowId: flow.id, kind: "webhook", hookId })
        .returning();
      const nextRunAt = new Date("2030-01-01T00:00:00.000Z");
      await db
        .update(triggers)
        .set({ nextRunAt })
        .where(eq(triggers.id, trigger?.id ?? ""));
      const [readTrigger] = await db.select().from(triggers).where(eq(triggers.hookId, hookId));
      expect(readTrigger?.nextRunAt?.toISOString()).toBe(nextRunAt.toISOString());
      const noHook = await expectRejection(
        db.insert(triggers).values({ orgId: org.id, flowId: flow.id, kind: "webhook" }),
      );
      expect(pgError(noHook)).toEqual({
        code: "23514",
        constraint: "triggers_webhook_has_hook_id",
      });

      await db.delete(triggers).where(eq(triggers.hookId, hookId));
      await db.delete(deployments).where(eq(deployments.id, deployment?.id ?? ""));
      await db.delete(flows).where(eq(flows.id, flow.id));
      expect(await db.$count(flowVersions, eq(flowVersions.flowId, flow.id))).toBe(0);
    });

    it("runs, run_steps, run_blobs, run_events and approvals", async () => {
      const { db } = suite;
      const [org, user] = [await newOrg(db), await newUser(db)];
      const { run } = await newRun(db, org.id);
      expect(run).toMatchObject({ status: "queued", eventSeq: 0, input: { q: 1 } });
      const [blob] = await db
        .insert(runBlobs)
        .values({ orgId: org.id, runId: run.id, bytes: 9, sha256: "ab", content: { big: true } })
        .returning();
      const [step] = await db
        .insert(runSteps)
        .values({
          orgId: org.id,
          runId: run.id,
          nodeId: "fetch_page",
          status: "running",
          outputBlobId: blob?.id,
        })
        .returning();
      await db
        .update(runSteps)
        .set({ status: "succeeded", tokensIn: 5 })
        .where(eq(runSteps.id, step?.id ?? ""));
      await db.insert(runEvents).values([
        { orgId: org.id, runId: run.id, seq: 1, type: "run.started" },
        {
          orgId: org.id,
          runId: run.id,
          seq: 2,
          type: "step.succeeded",
          nodeId: "fetch_page",
          payload: { ok: 1 },
        },
      ]);
      const [approval] = await db
        .insert(approvals)
        .values({ orgId: org.id, runId: run.id, nodeId: "review", assignees: [user.id] })
        .returning();
      await db
        .update(approvals)
        .set({ status: "approved", decidedBy: user.id, decidedAt: new Date() })
        .where(eq(approvals.id, approval?.id ?? ""));
      await db
        .update(runs)
        .set({ status: "succeeded", output: [1, 2], eventSeq: 2 })
        .where(eq(runs.id, run.id));

      const [readRun] = await db.select().from(runs).where(eq(runs.id, run.id));
      expect(readRun).toMatchObject({ status: "succeeded", output: [1, 2], eventSeq: 2 });
      const [readStep] = await db
        .select()
        .from(runSteps)
        .where(eq(runSteps.id, step?.id ?? ""));
      expect(readStep).toMatchObject({ status: "succeeded", tokensIn: 5, outputBlobId: blob?.id });
      const events = await db
        .select()
        .from(runEvents)
        .where(eq(runEvents.runId, run.id))
        .orderBy(runEvents.seq);
      expect(events.map((event) => event.type)).toEqual(["run.started", "step.succeeded"]);
      const [readApproval] = await db
        .select()
        .from(approvals)
        .where(eq(approvals.id, approval?.id ?? ""));
      expect(readApproval).toMatchObject({
        status: "approved",
        decidedBy: user.id,
        assignees: [user.id],
      });
      const duplicateSeq = await expectRejection(
        db.insert(runEvents).values({ orgId: org.id, runId: run.id, seq: 2, type: "again" }),
      );
      expect(isUniqueViolation(duplicateSeq)).toBe(true);

      await db.delete(runBlobs).where(eq(runBlobs.id, blob?.id ?? ""));
      const [unlinked] = await db
        .select()
        .from(runSteps)
        .where(eq(runSteps.id, step?.id ?? ""));
      expect(unlinked?.outputBlobId).toBeNull();
      await db.delete(runs).where(eq(runs.id, run.id));
      for (const table of [runSteps, runEvents, approvals]) {
        expect(await db.$count(table, eq(table.runId, run.id))).toBe(0);
      }
    });
  });

  describe("constraints", () => {
    it("rejects a second user with the same email", async () => {
      const { db } = suite;
      const user = await newUser(db);
      const error = await expectRejection(db.insert(users).values({ email: user.email }));
      expect(isUniqueViolation(error, "users_email_unique")).toBe(true);
      expect(await db.$count(users, eq(users.email, user.email))).toBe(1);
    });

    it("rejects a second org with the same slug", async () => {
      const { db } = suite;
      const org = await newOrg(db);
      const error = await expectRejection(
        db.insert(orgs).values({ name: "Other", slug: org.slug }),
      );
      expect(isUniqueViolation(error, "orgs_slug_unique")).toBe(true);
    });

    it("rejects a second api key with the same hash", async () => {
      const { db } = suite;
      const org = await newOrg(db);
      const hash = unique();
      await db.insert(apiKeys).values({ orgId: org.id, name: "a", prefix: "rk_a", hash });
      const error = await expectRejection(
        db.insert(apiKeys).values({ orgId: org.id, name: "b", prefix: "rk_b", hash }),
      );
      expect(isUniqueViolation(error, "api_keys_hash_unique")).toBe(true);
      expect(isUniqueViolation(error, "users_email_unique")).toBe(false);
    });

    it("rejects rows that point at a missing org (foreign key)", async () => {
      const error = await expectRejection(
        suite.db
          .insert(credentials)
          .values({ orgId: randomUUID(), type: "t", name: "n", secret: "s" }),
      );
      expect(pgError(error)?.code).toBe("23503");
    });

    it("deleting an org deletes its memberships, invitations, api keys and credentials, not its users", async () => {
      const { db } = suite;
      const [org, other, user] = [await newOrg(db), await newOrg(db), await newUser(db)];
      for (const orgId of [org.id, other.id]) {
        await db.insert(memberships).values({ orgId, userId: user.id, role: "owner" });
        await db
          .insert(apiKeys)
          .values({ orgId, name: "k", prefix: "rk_k", hash: unique(), createdBy: user.id });
        await db
          .insert(credentials)
          .values({ orgId, type: "t", name: "n", secret: "s", createdBy: user.id });
        await db.insert(invitations).values({
          orgId,
          tokenHash: unique(),
          role: "viewer",
          expiresAt: new Date(Date.now() + 60_000),
        });
      }
      await db.delete(orgs).where(eq(orgs.id, org.id));
      for (const table of [memberships, apiKeys, credentials, invitations]) {
        expect(await db.$count(table, eq(table.orgId, org.id))).toBe(0);
        expect(await db.$count(table, eq(table.orgId, other.id))).toBe(1);
      }
      expect(await db.$count(users, eq(users.id, user.id))).toBe(1);
    });

    it("deleting an org deletes its flows, versions, runs and everything under them", async () => {
      const { db } = suite;
      const [org, other] = [await newOrg(db), await newOrg(db)];
      const mine = await newRun(db, org.id);
      const theirs = await newRun(db, other.id);
      for (const { run } of [mine, theirs]) {
        await db.insert(runSteps).values({ orgId: run.orgId, runId: run.id, nodeId: "a" });
        await db
          .insert(runEvents)
          .values({ orgId: run.orgId, runId: run.id, seq: 1, type: "run.started" });
      }
      await db.delete(orgs).where(eq(orgs.id, org.id));
      for (const table of [flows, flowVersions, runs, runSteps, runEvents]) {
        expect(await db.$count(table, eq(table.orgId, org.id))).toBe(0);
        expect(await db.$count(table, eq(table.orgId, other.id))).toBe(1);
      }
    });

    it("a row cannot point at another org's flow or run (org-bound foreign keys)", async () => {
      const { db } = suite;
      const [org, other] = [await newOrg(db), await newOrg(db)];
      const { flow, run } = await newRun(db, other.id);
      const version = await expectRejection(
        db
          .insert(flowVersions)
          .values({ orgId: org.id, flowId: flow.id, number: 2, definition: {} }),
      );
      expect(pgError(version)).toEqual({ code: "23503", constraint: "flow_versions_flow_fk" });
      const step = await expectRejection(
        db.insert(runSteps).values({ orgId: org.id, runId: run.id, nodeId: "a" }),
      );
      expect(pgError(step)).toEqual({ code: "23503", constraint: "run_steps_run_fk" });
    });

    it("deleting a user deletes their sessions and accounts and keeps keys they created", async () => {
      const { db } = suite;
      const [org, user] = [await newOrg(db), await newUser(db)];
      await db
        .insert(sessions)
        .values({ sessionToken: unique(), userId: user.id, expires: new Date("2030-01-01") });
      await db.insert(accounts).values({
        userId: user.id,
        type: "oauth",
        provider: "google",
        providerAccountId: unique(),
      });
      const [key] = await db
        .insert(apiKeys)
        .values({ orgId: org.id, name: "k", prefix: "rk_k", hash: unique(), createdBy: user.id })
        .returning();
      await db.delete(users).where(eq(users.id, user.id));
      expect(await db.$count(sessions, eq(sessions.userId, user.id))).toBe(0);
      expect(await db.$count(accounts, eq(accounts.userId, user.id))).toBe(0);
      const [kept] = await db
        .select()
        .from(apiKeys)
        .where(eq(apiKeys.id, key?.id ?? ""));
      expect(kept?.createdBy).toBeNull();
    });
  });

  describe("pgvector", () => {
    it("orders by cosine distance through an HNSW index", async () => {
      const rows = await suite.db.transaction(async (tx) => {
        // A temporary table lives on one connection: the transaction keeps every statement on it.
        await tx.execute(
          sql`create temp table embeddings (id text primary key, v vector(3)) on commit drop`,
        );
        await tx.execute(
          sql`create index embeddings_v_idx on embeddings using hnsw (v vector_cosine_ops)`,
        );
        await tx.execute(sql`insert into embeddings values
          ('x', '[1,0,0]'), ('y', '[0,1,0]'), ('xy', '[1,1,0]'), ('z', '[0,0,1]')`);
        const found = await queryRows<{ id: string; distance: number }>(
          tx,
          sql`select id, (v <=> '[1,0.1,0]')::float8 as distance from embeddings order by v <=> '[1,0.1,0]' limit 3`,
        );
        return found.map((row) => ({ id: row.id, distance: Number(row.distance) }));
      });
      expect(rows.map((row) => row.id)).toEqual(["x", "xy", "y"]);
      expect(rows[0]?.distance).toBeCloseTo(1 - 1 / Math.sqrt(1.01), 5);
    });
  });

  describe("transactions", () => {
    it("roll back every write when the callback throws", async () => {
      const { db } = suite;
      const email = `tx-${unique()}@example.com`;
      const slug = `tx-${unique()}`;
      const error = await expectRejection(
        db.transaction(async (tx) => {
          await tx.insert(users).values({ email });
          await tx.insert(orgs).values({ name: "tx", slug });
          throw new Error("boom");
        }),
      );
      expect(error).toEqual(new Error("boom"));
      expect(await db.$count(users, eq(users.email, email))).toBe(0);
      expect(await db.$count(orgs, eq(orgs.slug, slug))).toBe(0);
    });

    it("roll back when a statement inside fails, and commit otherwise", async () => {
      const { db } = suite;
      const taken = await newUser(db);
      const email = `tx-${unique()}@example.com`;
      const error = await expectRejection(
        db.transaction(async (tx) => {
          await tx.insert(users).values({ email });
          await tx.insert(users).values({ email: taken.email });
        }),
      );
      expect(isUniqueViolation(error, "users_email_unique")).toBe(true);
      expect(await db.$count(users, eq(users.email, email))).toBe(0);
      await db.transaction(async (tx) => {
        await tx.insert(users).values({ email });
      });
      expect(await db.$count(users, eq(users.email, email))).toBe(1);
    });
  });

  describe("migrations", () => {
    it("applying them again is a no-op", async () => {
      const { db } = suite;
      const user = await newUser(db);
      const count = async () =>
        (
          await queryRows<{ n: number }>(
            db,
            sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
          )
        )[0]?.n;
      expect(await count()).toBe(journal.entries.length);
      await applyMigrations(suite.handle);
      await applyMigrations(suite.handle);
      expect(await count()).toBe(journal.entries.length);
      expect(await db.$count(users, eq(users.id, user.id))).toBe(1);
    });

    it.skipIf(suite.driver === "pglite")(
      "several handles migrating one empty database at once apply each migration exactly once",
      async () => {
        const empty = await suite.createDb({ migrations: [] });
        const url = empty.url;
        if (!url) throw new Error("a server test database has a url");
        const proxy = suite.driver === "neon" ? await startNeonProxy() : undefined;
        const handles: DbHandle[] = [];
        try {
          for (let i = 0; i < 3; i++) {
            handles.push(
              await createDb({
                url,
                driver: suite.driver,
                neonWsProxy: proxy?.wsProxy,
                maxConnections: 2,
              }),
            );
          }
          await Promise.all(handles.map((handle) => applyMigrations(handle)));
          const rows = await queryRows<{ n: number; hashes: number }>(
            empty.db,
            sql`select count(*)::int as n, count(distinct hash)::int as hashes from drizzle.__drizzle_migrations`,
          );
          expect(rows[0]).toEqual({ n: journal.entries.length, hashes: journal.entries.length });
          expect(await empty.db.$count(users)).toBe(0);
        } finally {
          await Promise.all(handles.map((handle) => handle.close()));
          await proxy?.close();
        }
      },
    );
  });
});
