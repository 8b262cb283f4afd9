export {
  blockedReason,
  parseAllowList,
  parseAllowListSetting,
  SsrfBlockedError,
} from "./http/address-policy";
export type { AllowList } from "./http/address-policy";
export {
  createHttpService,
  createSafeDispatcher,
  HttpRequestError,
  HttpResponseTooLargeError,
  HttpTimeoutError,
} from "./http/safe-fetch";
export type { SafeHttpOptions, SafeHttpService } from "./http/safe-fetch";
export { SandboxError } from "./sandbox/errors";
export type { SandboxErrorCode } from "./sandbox/errors";
export { sandboxOptionsFromEnv } from "./sandbox/env";
export type { SandboxOptions } from "./sandbox/options";
export { createSandboxPool } from "./sandbox/pool";
export type { SandboxPool, SandboxPoolStats } from "./sandbox/pool";
export { createAiService } from "./ai/ai";
export type { AiServiceOptions } from "./ai/ai";
export { AiCallError, explainAiError } from "./ai/errors";
export { pricesFromEnv } from "./ai/env";
export { listModels } from "./ai/models";
export {
  costOf,
  DEFAULT_PRICES,
  priceOf,
  PRICES_AS_OF,
  PriceTableError,
  pricesWithOverrides,
} from "./ai/pricing";
export type { ModelPrice, PriceTable } from "./ai/pricing";
export { AI_CREDENTIAL_TYPES, AI_PROVIDERS, isAiProvider } from "./ai/providers";
export type { AiProvider } from "./ai/providers";
export { safeFetchFor } from "./ai/safe-fetch";
export { createCredentialsService, CredentialUnavailableError } from "./credentials/credentials";
export type { CredentialsServiceOptions } from "./credentials/credentials";
export { createEngineServices, createNodeContext } from "./node-context";
export type {
  EngineServices,
  EngineServicesOptions,
  NodeContextOptions,
  StepLogEntry,
  StepNodeContext,
} from "./node-context";
export { McpServerConfig, MCP_TRANSPORTS } from "./mcp/config";
export type { McpTransportKind } from "./mcp/config";
export { McpCallError } from "./mcp/errors";
export { MCP_CREDENTIAL_TYPES, parseHeaderObject } from "./mcp/headers";
export { createMcpService } from "./mcp/mcp";
export type { McpService, McpServiceOptions, McpTool, McpToolResult } from "./mcp/mcp";
