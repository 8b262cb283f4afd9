import type { RuntimeMode } from "../mode";
import type { DriverDeps, RunFlowDriver } from "./driver";
import { embeddedSdkDriver } from "./embedded-sdk";
import { inngestDriver } from "./inngest";

export type { DriverDeps, ExecutorTuning, RunFlowDriver, ServeHandler, ServeRoute } from "./driver";
export { routeHandler } from "./driver";

/** The one place that decides how runFlow is driven in each mode (docs/architecture.md, "Runtime"). */
export function createRunFlowDriver(mode: RuntimeMode, deps: DriverDeps): RunFlowDriver {
  return mode.kind === "embedded" ? embeddedSdkDriver(deps) : inngestDriver(mode, deps);
}
