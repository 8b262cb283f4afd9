export { startFakeOpenAI } from "./fake-openai";
export type {
  FakeEndpoint,
  FakeOpenAIOptions,
  FakeOpenAIRequest,
  FakeOpenAIServer,
  FakeReply,
  FakeUsage,
} from "./fake-openai";
export { seedCredential, seedOrg } from "./credentials";
