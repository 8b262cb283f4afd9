export { RUN_FLOW_BINDINGS, startEmbeddedEngine, waitForRun } from "./embedded-engine";
export type { EmbeddedEngine, EmbeddedEngineOptions, RunFlowBinding } from "./embedded-engine";
