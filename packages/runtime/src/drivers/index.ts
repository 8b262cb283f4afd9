import type { RuntimeMode } from "../mode";
import type { DriverDeps, RunFlowDriver } from "./driver";
import { embeddedDirectDriver } from "./embedded-direct";
import { embeddedSdkDriver } from "./embedded-sdk";
import { inngestDriver } from "./inngest";

export type { DriverDeps, ExecutorTuning, RunFlowDriver, ServeHandler, ServeRoute } from "./driver";
export { routeHandler } from "./driver";

/** The one place that decides how runFlow is driven in each mode (docs/architecture.md, "Runtime"). */
export function createRunFlowDriver(mode: RuntimeMode, deps: DriverDeps): RunFlowDriver {
  if (mode.kind === "inngest") return inngestDriver(mode, deps);
  return mode.runFlow === "sdk" ? embeddedSdkDriver(deps) : embeddedDirectDriver(deps);
}
