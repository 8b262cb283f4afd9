import type { TRPCRouterRecord } from "@trpc/server";
import { TRPCError } from "@trpc/server";
import { z } from "zod";

import { and, desc, eq, isNull } from "@runnel/db";
import { deployments, flows, flowVersions } from "@runnel/db/schema";

import { DeploymentMcpSettings, mcpSettingsOf, toolNameOf } from "../mcp/settings";
import { buildOpenApiDocument } from "../rest/openapi";
import { fieldError, orgProcedure } from "../trpc";
import { FlowId, loadFlow } from "./flows/shared";

const columns = {
  id: deployments.id,
  flowId: deployments.flowId,
  flowName: flows.name,
  versionId: deployments.versionId,
  versionNumber: flowVersions.number,
  slug: deployments.slug,
  enabled: deployments.enabled,
  settings: deployments.settings,
  createdAt: deployments.createdAt,
  updatedAt: deployments.updatedAt,
};

/** The REST path that runs a deployment (served by the REST v1 surface). */
export function endpointPath(slug: string): string {
  return `/api/v1/flows/${slug}/runs`;
}

function listQuery(db: Parameters<typeof loadFlow>[0], orgId: string) {
  return db
    .select(columns)
    .from(deployments)
    .innerJoin(flows, eq(flows.id, deployments.flowId))
    .innerJoin(flowVersions, eq(flowVersions.id, deployments.versionId))
    .where(and(eq(deployments.orgId, orgId), isNull(flows.deletedAt)))
    .$dynamic();
}

type Row = Awaited<ReturnType<typeof listQuery>>[number];
const withEndpoint = ({ settings, ...row }: Row) => {
  const mcp = mcpSettingsOf(settings);
  return {
    ...row,
    endpoint: endpointPath(row.slug),
    mcp: mcp === null ? null : { ...mcp, toolName: toolNameOf(row.slug, mcp) },
  };
};

async function loadDeployment(db: Parameters<typeof loadFlow>[0], orgId: string, flowId: string) {
  const [row] = await listQuery(db, orgId).where(
    and(eq(deployments.orgId, orgId), eq(deployments.flowId, flowId), isNull(flows.deletedAt)),
  );
  return row ? withEndpoint(row) : null;
}

/**
 * A flow's public endpoint: one deployment per flow, at the flow's slug, pinned to one published version.
 * Viewers read; editors publish and unpublish.
 */
export const deploymentsRouter = {
  list: orgProcedure("viewer").query(async ({ ctx }) =>
    (await listQuery(ctx.db, ctx.org.id).orderBy(desc(deployments.updatedAt))).map(withEndpoint),
  ),

  /**
   * The org's OpenAPI 3.1 document, the same one `GET /api/v1/openapi.json` serves to API keys, for the app's API
   * reference page (a session cannot call the REST surface).
   */
  openapi: orgProcedure("viewer").query(({ ctx }) =>
    buildOpenApiDocument(ctx.db, ctx.org.id, ctx.appUrl),
  ),

  /** The flow's deployment, or null when it was never deployed. */
  get: orgProcedure("viewer")
    .input(z.strictObject({ flowId: FlowId }))
    .query(async ({ ctx, input }) => {
      const flow = await loadFlow(ctx.db, ctx.org.id, input.flowId);
      return loadDeployment(ctx.db, ctx.org.id, flow.id);
    }),

  /**
   * Points the flow's endpoint at a published version (default: the latest) and enables it. Publishing again
   * re-pins it; runs already started keep their version.
   */
  publish: orgProcedure("editor")
    .input(z.strictObject({ flowId: FlowId, versionId: z.string().min(1).max(100).optional() }))
    .mutation(({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
        const flow = await loadFlow(tx, ctx.org.id, input.flowId);
        const conditions = [
          eq(flowVersions.orgId, ctx.org.id),
          eq(flowVersions.flowId, flow.id),
          eq(flowVersions.kind, "published"),
        ];
        if (input.versionId !== undefined) conditions.push(eq(flowVersions.id, input.versionId));
        const [version] = await tx
          .select({ id: flowVersions.id, number: flowVersions.number })
          .from(flowVersions)
          .where(and(...conditions))
          .orderBy(desc(flowVersions.number))
          .limit(1);
        if (!version) {
          throw input.versionId === undefined
            ? new TRPCError({
                code: "BAD_REQUEST",
                message: `Flow "${flow.name}" has no published version; publish one before deploying`,
              })
            : new TRPCError({
                code: "NOT_FOUND",
                message: `Flow ${flow.id} has no version ${input.versionId}`,
              });
        }
        const now = new Date();
        await tx
          .insert(deployments)
          .values({ orgId: ctx.org.id, flowId: flow.id, versionId: version.id, slug: flow.slug })
          .onConflictDoUpdate({
            target: [deployments.orgId, deployments.slug],
            set: { flowId: flow.id, versionId: version.id, enabled: true, updatedAt: now },
          });
        const deployment = await loadDeployment(tx, ctx.org.id, flow.id);
        if (!deployment) throw new Error(`Deployment of flow ${flow.id} vanished after saving it`);
        await ctx.audit(tx, {
          action: "deployment.published",
          targetType: "deployment",
          targetId: deployment.id,
          metadata: {
            flowId: flow.id,
            versionId: version.id,
            number: version.number,
            slug: flow.slug,
          },
        });
        return deployment;
      }),
    ),

  /**
   * Makes the flow's deployment a tool on the org's MCP endpoint (`/api/mcp`), or stops it being one. The tool name
   * (default: the slug) must be unique among the org's MCP tools.
   */
  setMcp: orgProcedure("editor")
    .input(DeploymentMcpSettings.extend({ flowId: FlowId }))
    .mutation(({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
        const flow = await loadFlow(tx, ctx.org.id, input.flowId);
        const { flowId: _flowId, ...settings } = input;
        const deployment = await loadDeployment(tx, ctx.org.id, flow.id);
        if (!deployment)
          throw new TRPCError({
            code: "BAD_REQUEST",
            message: `Flow "${flow.name}" is not deployed; deploy it before offering it as an MCP tool`,
          });
        if (settings.enabled) {
          const name = toolNameOf(deployment.slug, settings);
          const others = await listQuery(tx, ctx.org.id);
          const taken = others.find(
            (other) =>
              other.id !== deployment.id &&
              mcpSettingsOf(other.settings)?.enabled === true &&
              toolNameOf(other.slug, mcpSettingsOf(other.settings)) === name,
          );
          if (taken)
            throw fieldError(
              ["toolName"],
              `The MCP tool name "${name}" is already used by ${taken.flowName}; choose another`,
            );
        }
        const [current] = await tx
          .select({ settings: deployments.settings })
          .from(deployments)
          .where(and(eq(deployments.orgId, ctx.org.id), eq(deployments.id, deployment.id)));
        await tx
          .update(deployments)
          .set({ settings: { ...current?.settings, mcp: settings }, updatedAt: new Date() })
          .where(and(eq(deployments.orgId, ctx.org.id), eq(deployments.id, deployment.id)));
        await ctx.audit(tx, {
          action: "deployment.mcp_changed",
          targetType: "deployment",
          targetId: deployment.id,
          metadata: { flowId: flow.id, ...settings },
        });
        const updated = await loadDeployment(tx, ctx.org.id, flow.id);
        if (!updated) throw new Error(`Deployment of flow ${flow.id} vanished after saving it`);
        return updated;
      }),
    ),

  /** Disables the flow's endpoint (the slug stays reserved for the flow). Unpublishing twice is a no-op. */
  unpublish: orgProcedure("editor")
    .input(z.strictObject({ flowId: FlowId }))
    .mutation(({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
        const flow = await loadFlow(tx, ctx.org.id, input.flowId);
        const [row] = await tx
          .update(deployments)
          .set({ enabled: false, updatedAt: new Date() })
          .where(
            and(
              eq(deployments.orgId, ctx.org.id),
              eq(deployments.flowId, flow.id),
              eq(deployments.enabled, true),
            ),
          )
          .returning({ id: deployments.id });
        if (row) {
          await ctx.audit(tx, {
            action: "deployment.unpublished",
            targetType: "deployment",
            targetId: row.id,
            metadata: { flowId: flow.id, slug: flow.slug },
          });
        }
        const deployment = await loadDeployment(tx, ctx.org.id, flow.id);
        if (!deployment) {
          throw new TRPCError({ code: "NOT_FOUND", message: `Flow ${flow.id} is not deployed` });
        }
        return deployment;
      }),
    ),
} satisfies TRPCRouterRecord;
