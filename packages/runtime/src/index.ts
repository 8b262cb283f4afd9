export { startRuntime } from "./runtime";
export type { Runtime, RuntimeOptions } from "./runtime";
export type { EmbeddedMode, InngestMode, RuntimeMode, RuntimeModeKind } from "./mode";
export type { ExecutorTuning, ServeHandler, ServeRoute } from "./drivers";
export type { FunctionOptions } from "./functions";
export type { RuntimeLog, RuntimeLogLevel } from "./log";
export { consoleLog } from "./log";
export { routeHandler } from "./drivers";
export { runtimeOptionsFromEnv } from "./from-env";
