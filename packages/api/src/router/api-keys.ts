import type { TRPCRouterRecord } from "@trpc/server";
import { TRPCError } from "@trpc/server";
import { z } from "zod";

import { generateApiKey } from "@runnel/auth";
import { and, desc, eq, isNull } from "@runnel/db";
import { apiKeys } from "@runnel/db/schema";

import { API_KEY_SCOPES, isApiKeyScope } from "../security/scopes";
import { orgProcedure } from "../trpc";

/** Optional; none (the default) means everything an editor may. Duplicates are dropped. */
const ScopesInput = z
  .array(
    z.string().refine(isApiKeyScope, {
      error: (issue) =>
        `Unknown scope ${JSON.stringify(issue.input)}; known scopes: ${API_KEY_SCOPES.join(", ")}`,
    }),
  )
  .max(API_KEY_SCOPES.length * 2, `At most ${API_KEY_SCOPES.length * 2} scopes`)
  .optional()
  .transform((scopes) => [...new Set(scopes ?? [])]);

const listed = {
  id: apiKeys.id,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  scopes: apiKeys.scopes,
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

  /**
   * Creates a key, optionally limited to `scopes` (security/scopes.ts). The response is the only time the whole key
   * is shown (only its SHA-256 is stored).
   */
  create: orgProcedure("admin")
    .input(
      z.strictObject({
        name: z
          .string()
          .trim()
          .min(1, "Give the key a name")
          .max(100, "Name must be at most 100 characters"),
        scopes: ScopesInput,
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
            scopes: input.scopes,
            createdBy: ctx.actor.kind === "user" ? ctx.actor.userId : ctx.actor.createdBy,
          })
          .returning(listed);
        if (!row) throw new Error(`Inserting API key "${input.name}" returned no row`);
        await ctx.audit(tx, {
          action: "api_key.created",
          targetType: "api_key",
          targetId: row.id,
          metadata: { name: row.name, prefix: row.prefix, scopes: row.scopes },
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
