export * from "./events";
export { createRunFlowFunction, MAX_NODE_RETRIES } from "./run-flow";
export type { RunFlowDeps, RunFlowResult } from "./run-flow";
export * from "./scheduler";
export * from "./starter";
export { downstreamOf, planRerun, RerunNodeError } from "./rerun";
export type { ReusedOutcome } from "./rerun";
export * from "./test-runs";
