import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";

import type { AppRouter } from "./root";

export { appRouter } from "./root";
export type { AppRouter } from "./root";
export {
  API_KEY_ROLE,
  createCallerFactory,
  createTRPCContext,
  flattenZodError,
  ORG_COOKIE,
  ORG_HEADER,
} from "./trpc";
export type { Context, CreateContextOptions, FlattenedZodError } from "./trpc";
export { CREDENTIAL_TYPES, describeCredentialTypes } from "./credential-types";
export type { CredentialType } from "./credential-types";
export { SignUpInput } from "./router/auth";
export {
  createRateLimits,
  DEFAULT_RATE_LIMITS,
  rateLimitCause,
  RateLimitExceededError,
  rateLimitResponseMeta,
  rateLimitStoreFor,
} from "./security/rate-limit";
export type {
  RateLimitOptions,
  RateLimitRule,
  RateLimits,
  RateLimitScope,
  RateLimitStore,
} from "./security/rate-limit";
export { rateLimitEnv, rateLimitOptionsFromEnv } from "./security/env";

/** Inputs of every procedure, e.g. `RouterInputs["credentials"]["create"]`. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** Outputs of every procedure, e.g. `RouterOutputs["me"]["get"]`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export { createRestHandler, MAX_WAIT_SECONDS, restRoutes } from "./rest/handler";
export { createMcpHandler } from "./mcp/server";
export type { McpHandlerDeps } from "./mcp/server";
export type { RestDeps } from "./rest/handler";
export { buildOpenApiDocument } from "./rest/openapi";
export { createHookHandler } from "./hooks/handler";
export { signWebhook, verifyWebhookSignature } from "./hooks/signature";
export { createLookups } from "./lookups";
export type { Lookups } from "./lookups";
export { listenForLookupChanges, LOOKUPS_CHANNEL } from "./lookups/invalidation";
export type { LookupChanges } from "./lookups/invalidation";
