import { randomBytes } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { z, ZodRealError } from "zod";

import type { AuditEntry, DbOrTx } from "@runnel/auth";
import type { Database } from "@runnel/db";
import type { CompileResult, FlowDefinitionInput, Problem } from "@runnel/engine";
import { isUniqueViolation, slugify } from "@runnel/auth";
import { and, desc, eq, isNull } from "@runnel/db";
import { credentials, deployments, flows, flowVersions } from "@runnel/db/schema";
import { compileFlow, FlowDefinition, listAvailableFlows } from "@runnel/engine";
import { catalogue } from "@runnel/nodes";

import type { Actor } from "../../trpc";
import { actorFields } from "../../trpc";

/**
 * What the flow handlers need: the database, the org they act in, who acts, and the audit writer. Built from a
 * tRPC context by {@link serviceCtx}, or by the operator CLI (no user, audit rows marked `via: "cli"`).
 */
export interface ServiceCtx {
  db: Database;
  org: { id: string };
  /** The user recorded as author/creator; null for an API key without a creator or the operator CLI. */
  userId: string | null;
  audit: (
    db: DbOrTx,
    entry: Omit<AuditEntry, "orgId" | "actorUserId" | "actorApiKeyId" | "ip">,
  ) => Promise<void>;
}

export function serviceCtx(ctx: {
  db: Database;
  org: { id: string };
  actor: Actor;
  audit: ServiceCtx["audit"];
}): ServiceCtx {
  return { db: ctx.db, org: ctx.org, userId: actorFields(ctx.actor).actorUserId, audit: ctx.audit };
}

export const FlowId = z.string().min(1, "Give the flow id").max(100);
/** `{ id }` of a flow. */
export const FlowIdInput = z.strictObject({ id: FlowId });

export const FlowName = z
  .string()
  .trim()
  .min(1, "Give the flow a name")
  .max(200, "Name must be at most 200 characters");
export const FlowDescription = z.string().max(2000, "Description must be at most 2000 characters");

/** Columns every procedure returns about a flow (never another org's data: callers scope by org). */
export const flowSummary = {
  id: flows.id,
  name: flows.name,
  slug: flows.slug,
  description: flows.description,
  createdAt: flows.createdAt,
  updatedAt: flows.updatedAt,
  draftUpdatedAt: flows.draftUpdatedAt,
};

export function notFound(id: string): TRPCError {
  return new TRPCError({ code: "NOT_FOUND", message: `Flow ${id} not found` });
}

/** The org's flow (not deleted), or NOT_FOUND: a foreign or deleted id looks the same as an unknown one. */
export async function loadFlow(db: DbOrTx, orgId: string, id: string) {
  const [flow] = await db
    .select()
    .from(flows)
    .where(and(eq(flows.id, id), eq(flows.orgId, orgId), isNull(flows.deletedAt)))
    .limit(1);
  if (!flow) throw notFound(id);
  return flow;
}

export async function latestVersion(db: DbOrTx, orgId: string, flowId: string) {
  const [row] = await db
    .select({
      id: flowVersions.id,
      number: flowVersions.number,
      message: flowVersions.message,
      createdAt: flowVersions.createdAt,
    })
    .from(flowVersions)
    .where(
      and(
        eq(flowVersions.orgId, orgId),
        eq(flowVersions.flowId, flowId),
        eq(flowVersions.kind, "published"),
      ),
    )
    .orderBy(desc(flowVersions.number))
    .limit(1);
  return row ?? null;
}

export async function flowDeployment(db: DbOrTx, orgId: string, flowId: string) {
  const [row] = await db
    .select()
    .from(deployments)
    .where(and(eq(deployments.orgId, orgId), eq(deployments.flowId, flowId)))
    .limit(1);
  return row ?? null;
}

/** The draft every new flow starts with: one manual trigger taking any object. */
export function starterDefinition(): FlowDefinition {
  return FlowDefinition.parse({
    nodes: [
      {
        id: "start",
        type: "manual_trigger",
        version: 1,
        name: "Manual trigger",
        config: { inputSchema: { type: "object" } },
        position: { x: 0, y: 0 },
      },
    ],
    edges: [],
  } satisfies FlowDefinitionInput);
}

/**
 * Parses a definition with the FlowDefinition schema (defaults applied). Structural errors fail with BAD_REQUEST
 * and field errors under `<field>.<path>` (e.g. `definition.nodes.0.id`).
 */
export function parseDefinition(value: unknown, field: (string | number)[]): FlowDefinition {
  const parsed = FlowDefinition.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new TRPCError({
    code: "BAD_REQUEST",
    message: "The flow definition is not valid",
    cause: new ZodRealError(
      parsed.error.issues.map((issue) => ({ ...issue, path: [...field, ...issue.path] })),
    ),
  });
}

/**
 * Compiles a definition against the node catalogue, the org's credentials (ids and types only) and its flows (an
 * agent's flow tools must name published ones).
 */
export async function compileForOrg(
  db: DbOrTx,
  orgId: string,
  definition: unknown,
): Promise<CompileResult> {
  const available = await db
    .select({ id: credentials.id, type: credentials.type })
    .from(credentials)
    .where(eq(credentials.orgId, orgId));
  return compileFlow(definition, {
    catalogue,
    credentials: available,
    flows: await listAvailableFlows(db, orgId),
  });
}

/** A problem as the API returns it. */
export interface FlowProblem {
  nodeId: string | null;
  edgeId?: string;
  path: (string | number)[];
  message: string;
  code: string;
}

export function problemsOf(result: CompileResult): FlowProblem[] {
  return result.ok ? [] : result.problems.map(toProblem);
}

function toProblem(problem: Problem): FlowProblem {
  return {
    nodeId: problem.nodeId,
    ...(problem.edgeId === undefined ? {} : { edgeId: problem.edgeId }),
    path: problem.path,
    message: problem.message,
    code: problem.code,
  };
}

/** One line per problem: `fetch_page nodes.1.config.url: …`. */
export function describeProblems(problems: readonly FlowProblem[]): string {
  return problems
    .map((p) => `${p.nodeId ?? "flow"}${p.path.length ? ` ${p.path.join(".")}` : ""}: ${p.message}`)
    .join("\n");
}

/** A slug no other live flow of the org has: the name's slug, or that slug with a short random suffix. */
async function uniqueFlowSlug(db: DbOrTx, orgId: string, name: string): Promise<string> {
  const base = slugify(name).replace(/^org$/, "flow");
  for (let candidate = base, attempt = 0; attempt < 8; attempt++) {
    const [taken] = await db
      .select({ id: flows.id })
      .from(flows)
      .where(and(eq(flows.orgId, orgId), eq(flows.slug, candidate), isNull(flows.deletedAt)))
      .limit(1);
    if (!taken) return candidate;
    candidate = `${base}-${randomBytes(3).toString("hex")}`;
  }
  return `${base}-${randomBytes(8).toString("hex")}`;
}

/**
 * Inserts a flow with a unique slug (retrying when a concurrent insert took the slug first) and audits it.
 * Returns the summary columns.
 */
export async function insertFlow(
  ctx: ServiceCtx,
  values: { name: string; description: string; draft: FlowDefinition },
  audit: {
    action: "flow.created" | "flow.imported" | "flow.duplicated";
    metadata?: Record<string, unknown>;
  },
) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await ctx.db.transaction(async (tx) => {
        const slug = await uniqueFlowSlug(tx, ctx.org.id, values.name);
        const [row] = await tx
          .insert(flows)
          .values({
            orgId: ctx.org.id,
            name: values.name,
            slug,
            description: values.description,
            draft: values.draft,
            createdBy: ctx.userId,
          })
          .returning(flowSummary);
        if (!row) throw new Error(`Inserting flow "${values.name}" returned no row`);
        await ctx.audit(tx, {
          action: audit.action,
          targetType: "flow",
          targetId: row.id,
          metadata: { name: row.name, slug: row.slug, ...audit.metadata },
        });
        return row;
      });
    } catch (error) {
      if (attempt < 3 && isUniqueViolation(error)) continue;
      throw error;
    }
  }
}
