export type { AvailableCredential, AvailableFlow, CompileOptions } from "./compile";
export { compileFlow, ERROR_OUTPUT_SCHEMA, RUN_FIELDS } from "./compile";
export type {
  CompileResult,
  ExecutionPlan,
  PlanEdge,
  PlanInput,
  PlanNode,
  Problem,
  ProblemCode,
} from "./plan";
export type { NodeOutcome, Progress } from "./progress";
export { advance, inputsFor, isComplete, upstreamOutputs } from "./progress";
export type { PathCheck } from "./schema-path";
export { checkSchemaPath } from "./schema-path";
