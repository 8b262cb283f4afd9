import type { TRPCRouterRecord } from "@trpc/server";
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { z } from "zod";

import { and, desc, eq } from "@runnel/db";
import { decryptCredential, encryptCredential } from "@runnel/db/crypto";
import { credentials } from "@runnel/db/schema";
import { AiCallError, listModels } from "@runnel/engine/services";

import type { CredentialType } from "../credential-types";
import type { Context } from "../trpc";
import {
  CredentialTypeName,
  describeCredentialTypes,
  isCredentialType,
  isModelProviderType,
  parseCredentialData,
  settingsOf,
} from "../credential-types";
import { orgProcedure, protectedProcedure } from "../trpc";

/** What any procedure returns about a credential: never `secret`, never the decrypted data. */
const listed = {
  id: credentials.id,
  type: credentials.type,
  name: credentials.name,
  createdAt: credentials.createdAt,
  updatedAt: credentials.updatedAt,
};

const Name = z
  .string()
  .trim()
  .min(1, "Give the credential a name")
  .max(100, "Name must be at most 100 characters");
const Data = z.record(
  z.string(),
  z.string().max(10_000, "A field may be at most 10000 characters"),
);

function validData(type: CredentialType, data: Record<string, string>): Record<string, string> {
  const parsed = parseCredentialData(type, data);
  if (!parsed.success)
    throw new TRPCError({
      code: "BAD_REQUEST",
      message: "The credential's fields are not valid",
      cause: parsed.error,
    });
  return parsed.data;
}

/** The decrypted data of a credential of the caller's org, with its type. */
async function loadCredential(ctx: Context & { org: { id: string } }, id: string) {
  const [row] = await ctx.db
    .select()
    .from(credentials)
    .where(and(eq(credentials.id, id), eq(credentials.orgId, ctx.org.id)));
  if (!row) throw new TRPCError({ code: "NOT_FOUND", message: `Credential ${id} not found` });
  const data = decryptCredential({
    masterKey: ctx.encryptionKey,
    orgId: ctx.org.id,
    credentialId: row.id,
    secret: row.secret,
  });
  return { row, data };
}

/**
 * The provider's model list for a model provider credential: a cheap authenticated call, so it is also
 * "Test connection". Failures are BAD_REQUEST with the provider's status, never the key (docs/ai.md).
 */
async function providerModels(ctx: Context & { org: { id: string } }, id: string) {
  const http = ctx.http;
  if (!http)
    throw new TRPCError({
      code: "PRECONDITION_FAILED",
      message: "Outbound calls are not available in this server (no engine HTTP service)",
    });
  const { row, data } = await loadCredential(ctx, id);
  if (!isModelProviderType(row.type))
    throw new TRPCError({
      code: "BAD_REQUEST",
      message: `Credential ${row.name} is a ${row.type} credential, not a model provider's`,
    });
  try {
    return await listModels(http, row.type, data);
  } catch (error) {
    if (error instanceof AiCallError)
      throw new TRPCError({ code: "BAD_REQUEST", message: error.message });
    throw error;
  }
}

export const credentialsRouter = {
  /** The credential types with a JSON Schema of their secret fields. */
  types: protectedProcedure.query(() => describeCredentialTypes()),

  /** Each credential with its settings: the fields that are configuration (a base URL), never a secret. */
  list: orgProcedure("viewer").query(async ({ ctx }) => {
    const rows = await ctx.db
      .select({ ...listed, secret: credentials.secret })
      .from(credentials)
      .where(eq(credentials.orgId, ctx.org.id))
      .orderBy(desc(credentials.createdAt));
    return rows.map(({ secret, ...row }) => {
      let settings: Record<string, string> = {};
      try {
        const data = decryptCredential({
          masterKey: ctx.encryptionKey,
          orgId: ctx.org.id,
          credentialId: row.id,
          secret,
        });
        settings = settingsOf(row.type, data);
      } catch {
        // An undecryptable credential is still listed (so it can be deleted); it shows no settings.
      }
      return { ...row, settings };
    });
  }),

  /** "Test connection" of a model provider credential: lists the provider's models with it. */
  test: orgProcedure("editor")
    .input(z.strictObject({ id: z.string().min(1) }))
    .mutation(async ({ ctx, input }) => {
      const models = await providerModels(ctx, input.id);
      return { ok: true as const, models: models.length };
    }),

  /** The model ids a model provider credential can use (for the model picker); empty when the list is empty. */
  models: orgProcedure("viewer")
    .input(z.strictObject({ id: z.string().min(1) }))
    .query(async ({ ctx, input }) => ({ models: await providerModels(ctx, input.id) })),

  create: orgProcedure("editor")
    .input(z.strictObject({ type: CredentialTypeName, name: Name, data: Data }))
    .mutation(async ({ ctx, input }) => {
      const data = validData(input.type, input.data);
      const id = randomUUID();
      const secret = encryptCredential({
        masterKey: ctx.encryptionKey,
        orgId: ctx.org.id,
        credentialId: id,
        data,
      });
      return ctx.db.transaction(async (tx) => {
        const createdBy = ctx.actor.kind === "user" ? ctx.actor.userId : ctx.actor.createdBy;
        const [row] = await tx
          .insert(credentials)
          .values({ id, orgId: ctx.org.id, type: input.type, name: input.name, secret, createdBy })
          .returning(listed);
        if (!row) throw new Error(`Inserting credential "${input.name}" returned no row`);
        await ctx.audit(tx, {
          action: "credential.created",
          targetType: "credential",
          targetId: id,
          metadata: { type: row.type, name: row.name },
        });
        return row;
      });
    }),

  /**
   * Renames and/or changes secret fields. Fields given in `data` replace the stored ones; fields left out (or
   * empty) keep their stored value, so a form can leave write-only fields blank.
   */
  update: orgProcedure("editor")
    .input(z.strictObject({ id: z.string().min(1), name: Name.optional(), data: Data.optional() }))
    .mutation(({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
        const [existing] = await tx
          .select()
          .from(credentials)
          .where(and(eq(credentials.id, input.id), eq(credentials.orgId, ctx.org.id)));
        if (!existing)
          throw new TRPCError({ code: "NOT_FOUND", message: `Credential ${input.id} not found` });
        if (!isCredentialType(existing.type)) {
          throw new TRPCError({
            code: "BAD_REQUEST",
            message: `Credential ${existing.id} has an unknown type "${existing.type}"`,
          });
        }
        const changes: { name?: string; secret?: string; updatedAt: Date } = {
          updatedAt: new Date(),
        };
        if (input.name !== undefined) changes.name = input.name;
        const changedFields = Object.entries(input.data ?? {}).filter(([, value]) => value !== "");
        if (changedFields.length > 0) {
          const stored = decryptCredential({
            masterKey: ctx.encryptionKey,
            orgId: ctx.org.id,
            credentialId: existing.id,
            secret: existing.secret,
          });
          const data = validData(existing.type, {
            ...stored,
            ...Object.fromEntries(changedFields),
          });
          changes.secret = encryptCredential({
            masterKey: ctx.encryptionKey,
            orgId: ctx.org.id,
            credentialId: existing.id,
            data,
          });
        }
        const [row] = await tx
          .update(credentials)
          .set(changes)
          .where(and(eq(credentials.id, existing.id), eq(credentials.orgId, ctx.org.id)))
          .returning(listed);
        if (!row)
          throw new TRPCError({ code: "NOT_FOUND", message: `Credential ${input.id} not found` });
        await ctx.audit(tx, {
          action: "credential.updated",
          targetType: "credential",
          targetId: row.id,
          metadata: { name: row.name, fields: changedFields.map(([key]) => key) },
        });
        return row;
      }),
    ),

  delete: orgProcedure("editor")
    .input(z.strictObject({ id: z.string().min(1) }))
    .mutation(({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
        const [row] = await tx
          .delete(credentials)
          .where(and(eq(credentials.id, input.id), eq(credentials.orgId, ctx.org.id)))
          .returning(listed);
        if (!row)
          throw new TRPCError({ code: "NOT_FOUND", message: `Credential ${input.id} not found` });
        await ctx.audit(tx, {
          action: "credential.deleted",
          targetType: "credential",
          targetId: row.id,
          metadata: { type: row.type, name: row.name },
        });
        return { id: row.id };
      }),
    ),
} satisfies TRPCRouterRecord;
