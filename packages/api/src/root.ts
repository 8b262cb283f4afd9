import { apiKeysRouter } from "./router/api-keys";
import { authRouter } from "./router/auth";
import { credentialsRouter } from "./router/credentials";
import { meRouter } from "./router/me";
import { invitesProcedures } from "./router/orgs/invites";
import { membersProcedures } from "./router/orgs/members";
import { orgsProcedures } from "./router/orgs/orgs";
import { createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  auth: authRouter,
  me: meRouter,
  orgs: { ...orgsProcedures, ...invitesProcedures, ...membersProcedures },
  apiKeys: apiKeysRouter,
  credentials: credentialsRouter,
});

export type AppRouter = typeof appRouter;
