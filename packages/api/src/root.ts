import { apiKeysRouter } from "./router/api-keys";
import { approvalsRouter } from "./router/approvals";
import { authRouter } from "./router/auth";
import { credentialsRouter } from "./router/credentials";
import { deploymentsRouter } from "./router/deployments";
import { flowsRouter } from "./router/flows";
import { mcpRouter } from "./router/mcp";
import { meRouter } from "./router/me";
import { nodesRouter } from "./router/nodes";
import { invitesProcedures } from "./router/orgs/invites";
import { membersProcedures } from "./router/orgs/members";
import { orgsProcedures } from "./router/orgs/orgs";
import { runsRouter } from "./router/runs";
import { triggersRouter } from "./router/triggers";
import { usageRouter } from "./router/usage";
import { createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  auth: authRouter,
  me: meRouter,
  orgs: { ...orgsProcedures, ...invitesProcedures, ...membersProcedures },
  apiKeys: apiKeysRouter,
  credentials: credentialsRouter,
  mcp: mcpRouter,
  flows: flowsRouter,
  nodes: nodesRouter,
  deployments: deploymentsRouter,
  triggers: triggersRouter,
  runs: runsRouter,
  approvals: approvalsRouter,
  usage: usageRouter,
});

export type AppRouter = typeof appRouter;
