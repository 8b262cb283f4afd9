export { startEmbeddedEngine, waitForRun } from "./embedded-engine";
export type { EmbeddedEngine, EmbeddedEngineOptions } from "./embedded-engine";
