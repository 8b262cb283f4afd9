import type { TRPCRouterRecord } from "@trpc/server";
import { TRPCError } from "@trpc/server";
import { z } from "zod";

import { generateApiKey } from "@runnel/auth";
import { and, desc, eq, isNull } from "@runnel/db";
import { apiKeys } from "@runnel/db/schema";

import { orgProcedure } from "../trpc";

const listed = {
  id: apiKeys.id,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
  revokedAt: apiKeys.revokedAt,
};

export const apiKeysRouter = {
  /** The org's keys by display prefix, with last use; never the key or its hash. */
  list: orgProcedure("viewer").query(({ ctx }) =>
    ctx.db
      .select(listed)
      .from(apiKeys)
      .where(eq(apiKeys.orgId, ctx.org.id))
      .orderBy(desc(apiKeys.createdAt)),
  ),

  /** Creates a key; the response is the only time the whole key is shown (only its SHA-256 is stored). */
  create: orgProcedure("admin")
    .input(
      z.strictObject({
        name: z
          .string()
          .trim()
          .min(1, "Give the key a name")
          .max(100, "Name must be at most 100 characters"),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const generated = generateApiKey();
      return ctx.db.transaction(async (tx) => {
        const [row] = await tx
          .insert(apiKeys)
          .values({
            orgId: ctx.org.id,
            name: input.name,
            prefix: generated.prefix,
            hash: generated.hash,
            createdBy: ctx.actor.kind === "user" ? ctx.actor.userId : ctx.actor.createdBy,
          })
          .returning(listed);
        if (!row) throw new Error(`Inserting API key "${input.name}" returned no row`);
        await ctx.audit(tx, {
          action: "api_key.created",
          targetType: "api_key",
          targetId: row.id,
          metadata: { name: row.name, prefix: row.prefix },
        });
        return { ...row, key: generated.key };
      });
    }),

  /** Revokes a key at once: the next request that presents it gets 401. Revoking twice is a no-op. */
  revoke: orgProcedure("admin")
    .input(z.strictObject({ id: z.string().min(1) }))
    .mutation(({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
        const [revoked] = await tx
          .update(apiKeys)
          .set({ revokedAt: new Date() })
          .where(
            and(eq(apiKeys.id, input.id), eq(apiKeys.orgId, ctx.org.id), isNull(apiKeys.revokedAt)),
          )
          .returning(listed);
        if (revoked) {
          await ctx.audit(tx, {
            action: "api_key.revoked",
            targetType: "api_key",
            targetId: revoked.id,
            metadata: { name: revoked.name, prefix: revoked.prefix },
          });
          return revoked;
        }
        const [existing] = await tx
          .select(listed)
          .from(apiKeys)
          .where(and(eq(apiKeys.id, input.id), eq(apiKeys.orgId, ctx.org.id)));
        if (!existing)
          throw new TRPCError({ code: "NOT_FOUND", message: `API key ${input.id} not found` });
        return existing;
      }),
    ),
} satisfies TRPCRouterRecord;
