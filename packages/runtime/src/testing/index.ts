export { RUN_FLOW_BINDINGS, startEmbeddedEngine, waitForRun } from "./embedded-engine";
export type { EmbeddedEngine, EmbeddedEngineOptions, RunFlowBinding } from "./embedded-engine";
export { startStandaloneExecutor } from "./standalone-executor";
export type { StandaloneExecutor } from "./standalone-executor";
