export type * from "./context";
export * from "./define";
export * from "./json";
export * from "./ports";
export * from "./registry";
export * from "./template";
export { checkCronExpression } from "./catalogue/cron";
export {
  durationMs,
  Duration,
  FieldPath,
  JsonConfigData,
  JsonData,
  JsonObjectData,
  JsonSchemaDocument,
  checkAgainstJsonSchema,
  checkData,
  isTimeZone,
} from "./catalogue/shared";
export { WebhookRequest } from "./catalogue/webhook-trigger";
export {
  AgentResult,
  AgentStep,
  AgentToolApproval,
  AgentToolCall,
  agentNode,
  MAX_AGENT_STEPS,
} from "./catalogue/agent";
export {
  AgentTool,
  AgentTools,
  CodeTool,
  FlowTool,
  HttpTool,
  McpTool,
  TOOL_NAME_PATTERN,
} from "./catalogue/agent-tools";
export type { AgentToolKind } from "./catalogue/agent-tools";
export { apiTrigger } from "./catalogue/api-trigger";
export { approvalNode } from "./catalogue/approval";
export { codeNode } from "./catalogue/code";
export { httpRequestNode } from "./catalogue/http-request";
export { ifNode } from "./catalogue/if";
export { llmStructuredNode } from "./catalogue/llm-structured";
export { LLM_CREDENTIAL_TYPES, llmTextNode } from "./catalogue/llm-text";
export { loopNode } from "./catalogue/loop";
export { manualTrigger } from "./catalogue/manual-trigger";
export { mergeNode } from "./catalogue/merge";
export { respondNode } from "./catalogue/respond";
export { scheduleTrigger } from "./catalogue/schedule-trigger";
export { setNode } from "./catalogue/set";
export { subFlowNode } from "./catalogue/sub-flow";
export { switchNode } from "./catalogue/switch";
export { waitNode } from "./catalogue/wait";
export { webhookTrigger } from "./catalogue/webhook-trigger";
