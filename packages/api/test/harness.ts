import { randomBytes } from "node:crypto";
import { ZodError } from "zod";

import type { Mailer, Role } from "@runnel/auth";
import type { TestDb } from "@runnel/db/testing";
import type { HttpService } from "@runnel/nodes";
import { eq } from "@runnel/db";
import { auditLog, memberships } from "@runnel/db/schema";
import { createTestDb } from "@runnel/db/testing";

import { appRouter } from "../src/root";
import { createCallerFactory, createTRPCContext, flattenZodError, ORG_HEADER } from "../src/trpc";

export const APP_URL = "http://localhost:3000";
export const PASSWORD = "correct-horse-9";
const createCaller = createCallerFactory(appRouter);

export type Caller = ReturnType<typeof createCaller>;

export interface Harness {
  db: TestDb["db"];
  encryptionKey: Buffer;
  /** A caller as the given context (null session = signed out). */
  caller(options?: {
    userId?: string;
    org?: string;
    headers?: Record<string, string>;
  }): Promise<Caller>;
  /** Signs a new user up through auth.signUp; returns their id, personal org id and a caller. */
  user(name: string, email?: string): Promise<{ userId: string; orgId: string; caller: Caller }>;
  /** Adds an existing user to an org with a role (test setup). */
  addMember(orgId: string, userId: string, role: Role): Promise<void>;
  /** Audit actions written for an org, oldest first. */
  auditActions(orgId: string): Promise<string[]>;
  close(): Promise<void>;
}

export async function createHarness(
  options: { mailer?: Mailer; http?: HttpService } = {},
): Promise<Harness> {
  const handle = await createTestDb();
  const encryptionKey = randomBytes(32);
  let counter = 0;

  const caller: Harness["caller"] = async ({ userId, org, headers } = {}) => {
    const h = new Headers(headers);
    if (org) h.set(ORG_HEADER, org);
    const ctx = await createTRPCContext({
      headers: h,
      db: handle.db,
      session: userId ? { userId } : null,
      encryptionKey,
      appUrl: APP_URL,
      mailer: options.mailer,
      http: options.http,
    });
    return createCaller(ctx);
  };

  return {
    db: handle.db,
    encryptionKey,
    caller,
    async user(name, email) {
      const address =
        email ?? `${name.toLowerCase()}-${++counter}-${randomBytes(3).toString("hex")}@example.com`;
      const { userId } = await (
        await caller()
      ).auth.signUp({ name, email: address, password: PASSWORD });
      const [membership] = await handle.db
        .select()
        .from(memberships)
        .where(eq(memberships.userId, userId));
      if (!membership) throw new Error(`sign-up of ${address} created no membership`);
      return { userId, orgId: membership.orgId, caller: await caller({ userId }) };
    },
    async addMember(orgId, userId, role) {
      await handle.db.insert(memberships).values({ orgId, userId, role });
    },
    async auditActions(orgId) {
      const rows = await handle.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.orgId, orgId))
        .orderBy(auditLog.createdAt);
      return rows.map((row) => row.action);
    },
    close: () => handle.close(),
  };
}

/** Runs a call that must fail and returns the TRPCError's code, message and flattened zod errors. */
export async function failure(
  call: Promise<unknown>,
): Promise<{ code: string; message: string; fieldErrors?: Record<string, string[]> }> {
  try {
    await call;
  } catch (error) {
    const e = error as { code?: string; message?: string; cause?: unknown };
    const fieldErrors =
      e.cause instanceof ZodError ? flattenZodError(e.cause).fieldErrors : undefined;
    return {
      code: e.code ?? "UNKNOWN",
      message: e.message ?? "",
      ...(fieldErrors ? { fieldErrors } : {}),
    };
  }
  throw new Error("expected the call to fail, but it succeeded");
}
