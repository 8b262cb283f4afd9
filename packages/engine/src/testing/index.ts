export { startFakeOpenAI } from "./fake-openai";
export type {
  FakeEndpoint,
  FakeOpenAIOptions,
  FakeOpenAIRequest,
  FakeOpenAIServer,
} from "./fake-openai";
export { startFakeAnthropic } from "./fake-anthropic";
export type {
  FakeAnthropicOptions,
  FakeAnthropicRequest,
  FakeAnthropicServer,
} from "./fake-anthropic";
export { startFakeGemini } from "./fake-gemini";
export type { FakeGeminiOptions, FakeGeminiRequest, FakeGeminiServer } from "./fake-gemini";
export type { FakeReply, FakeToolCall, FakeUsage } from "./fake-provider";
export { seedCredential, seedOrg } from "./credentials";
export { addFlow, flowOf, publishVersion, seedFlow } from "./flows";
export { startHitServer } from "./hit-server";
export type { HitServer } from "./hit-server";
export { seedFlowVersion } from "../runs/fixtures";
export type { SeededFlow } from "../runs/fixtures";
export { startMcpTestServer } from "./mcp-server";
export type { McpTestServer, McpTestServerOptions } from "./mcp-server";
