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
export { addFlow, flowOf, publishVersion, seedFlow } from "./flows";
export { startHitServer } from "./hit-server";
export type { HitServer } from "./hit-server";
export { seedFlowVersion } from "../runs/fixtures";
export type { SeededFlow } from "../runs/fixtures";
