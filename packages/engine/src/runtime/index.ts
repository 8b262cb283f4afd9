export * from "./events";
export { createRunFlowFunction, MAX_NODE_RETRIES } from "./run-flow";
export type { RunFlowDeps, RunFlowResult } from "./run-flow";
export * from "./scheduler";
export * from "./starter";
