import { ilike } from "drizzle-orm";

import { and, desc, eq, isNull, sql } from "@runnel/db";
import { deployments, flows, flowVersions } from "@runnel/db/schema";

import type { ListFlowsInput } from "./list.schema";
import type { ServiceCtx } from "./shared";
import { fieldError } from "../../trpc";
import { flowSummary } from "./shared";

/** `%` and `_` in a search are literal characters, not wildcards. */
function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * (Correlated subqueries name the outer table explicitly: drizzle writes a single-table select's columns
 * unqualified, and a bare "id" would resolve to the subquery's own table.)
 *
 * The org's flows, most recently updated first, with their latest version number and whether they are deployed.
 * Pages are keyed by the last flow's id: the next page starts after that flow's (updated_at, id), compared in the
 * database at full timestamp precision.
 */
export async function listFlows(ctx: ServiceCtx, input: ListFlowsInput) {
  const conditions = [eq(flows.orgId, ctx.org.id), isNull(flows.deletedAt)];
  if (input.search) conditions.push(ilike(flows.name, likePattern(input.search)));
  if (input.cursor !== undefined) {
    const [cursor] = await ctx.db
      .select({ id: flows.id })
      .from(flows)
      .where(and(eq(flows.id, input.cursor), eq(flows.orgId, ctx.org.id)))
      .limit(1);
    if (!cursor) throw fieldError(["cursor"], "The cursor does not name a flow of this org");
    conditions.push(
      sql`(${flows.updatedAt}, ${flows.id}) < (select c.updated_at, c.id from ${flows} c where c.id = ${cursor.id})`,
    );
  }
  const rows = await ctx.db
    .select({
      ...flowSummary,
      latestVersion: sql<
        number | null
      >`(select max(v.number) from ${flowVersions} v where v.flow_id = ${flows}.id and v.kind = 'published')`,
      deployed: sql<boolean>`exists (select 1 from ${deployments} d where d.flow_id = ${flows}.id and d.enabled)`,
    })
    .from(flows)
    .where(and(...conditions))
    .orderBy(desc(flows.updatedAt), desc(flows.id))
    .limit(input.limit + 1);
  const items = rows.slice(0, input.limit).map((row) => ({
    ...row,
    latestVersion: row.latestVersion === null ? null : Number(row.latestVersion),
    deployed: Boolean(row.deployed),
  }));
  const last = items.at(-1);
  return { items, nextCursor: rows.length > input.limit && last ? last.id : null };
}
