import type { TRPCRouterRecord } from "@trpc/server";
import { TRPCError } from "@trpc/server";

import {
  createCredentialsService,
  createMcpService,
  CredentialUnavailableError,
  McpCallError,
  McpServerConfig,
} from "@runnel/engine/services";

import { orgProcedure } from "../trpc";

export const mcpRouter = {
  /**
   * The tools of a remote MCP server (name, description, input schema), for the editor. The credential must be one
   * of the caller's org: another org's id answers NOT_FOUND. Connection failures are BAD_REQUEST naming the server.
   */
  tools: orgProcedure("editor")
    .input(McpServerConfig)
    .query(async ({ ctx, input }) => {
      const http = ctx.http;
      if (!http)
        throw new TRPCError({
          code: "PRECONDITION_FAILED",
          message: "Outbound calls are not available in this server (no engine HTTP service)",
        });
      const mcp = createMcpService({
        http,
        credentials: createCredentialsService({
          db: ctx.db,
          masterKey: ctx.encryptionKey,
          orgId: ctx.org.id,
        }),
      });
      try {
        return { tools: await mcp.listTools(input) };
      } catch (error) {
        if (error instanceof CredentialUnavailableError)
          throw new TRPCError({
            code: error.reason === "missing" ? "NOT_FOUND" : "BAD_REQUEST",
            message: error.message,
          });
        if (error instanceof McpCallError)
          throw new TRPCError({ code: "BAD_REQUEST", message: error.message });
        throw error;
      } finally {
        await mcp.close();
      }
    }),
} satisfies TRPCRouterRecord;
