import { z } from "zod";

import { defineNode } from "../define";
import { AgentTools } from "./agent-tools";
import { LLM_CREDENTIAL_TYPES, llmConfigFields, TokenUsageSchema } from "./llm-text";
import { Duration, durationMs, JsonData, JsonSchemaDocument } from "./shared";

/** A tool call the model made, as the trace records it. */
export const AgentToolCall = z.object({ id: z.string(), name: z.string(), arguments: JsonData });
export type AgentToolCall = z.infer<typeof AgentToolCall>;

/** The approval a gated tool call waited for. */
export const AgentToolApproval = z.object({
  approvalId: z.string(),
  decision: z.enum(["approved", "rejected", "timeout"]),
  decidedBy: z.string().optional(),
  comment: z.string().optional(),
  /** True when the approver changed the arguments (the call ran with the edited ones). */
  editedArguments: z.boolean(),
});
export type AgentToolApproval = z.infer<typeof AgentToolApproval>;

/**
 * One entry of an agent's trace (docs/ai.md, Agents): a model call, or a tool call with what went back to the model
 * (`result`, or `error` for an unknown tool, bad arguments, a failed or rejected call).
 */
export const AgentStep = z.discriminatedUnion("kind", [
  z.object({
    index: z.number().int(),
    kind: z.literal("model"),
    text: z.string().optional(),
    toolCalls: z.array(AgentToolCall).optional(),
    finishReason: z.string(),
    usage: TokenUsageSchema,
    latencyMs: z.number(),
  }),
  z.object({
    index: z.number().int(),
    kind: z.literal("tool"),
    toolCallId: z.string(),
    tool: z.string(),
    arguments: JsonData,
    result: JsonData.optional(),
    error: z.string().optional(),
    latencyMs: z.number(),
    approval: AgentToolApproval.optional(),
  }),
]);
export type AgentStep = z.infer<typeof AgentStep>;

/** What the agent emits on `out`: `text` (output "text") or `object` (output "structured"). */
export const AgentResult = z.object({
  text: z.string().optional(),
  object: JsonData.optional(),
  finishReason: z.string(),
  steps: z.array(AgentStep),
  usage: TokenUsageSchema,
});
export type AgentResult = z.infer<typeof AgentResult>;

export const MAX_AGENT_STEPS = 50;

const AgentConfig = z
  .object({
    credential: llmConfigFields.credential,
    model: llmConfigFields.model,
    instructions: z.string().optional().describe("System instructions: the agent's role and rules"),
    message: z
      .string()
      .min(1)
      .describe("The user message; usually an expression such as {{ trigger.question }}"),
    tools: AgentTools.default([]).describe(
      "Tools the model may call (flow, http, code); taken literally: {{ }} is not evaluated in them",
    ),
    maxSteps: z
      .number()
      .int()
      .min(1)
      .max(MAX_AGENT_STEPS)
      .default(10)
      .describe("Most model calls; the node fails when the model still calls tools after the last"),
    toolChoice: z.enum(["auto", "required", "none"]).default("auto"),
    output: z.enum(["text", "structured"]).default("text"),
    schema: JsonSchemaDocument.optional().describe(
      'JSON Schema of the final answer (output "structured")',
    ),
    temperature: llmConfigFields.temperature,
    approvers: z
      .array(z.string().min(1))
      .default([])
      .describe("Who may decide gated tool calls (user ids or e-mails); editors always may"),
    approvalTimeout: Duration.default({ amount: 1, unit: "days" }).describe(
      "A gated call without a decision by then is treated as rejected",
    ),
  })
  .superRefine((config, ctx) => {
    if (config.output !== "structured") return;
    if (config.schema === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["schema"],
        message: 'output "structured" needs a JSON Schema of the answer',
      });
    else if (config.schema.type !== "object")
      ctx.addIssue({
        code: "custom",
        path: ["schema"],
        message: 'the output schema must describe an object ("type": "object")',
      });
  });

/**
 * An AI agent: a model that calls tools in a loop until it answers. The engine runs every model call and every tool
 * call as its own durable step (docs/ai.md, Agents); execute only shapes the request.
 */
export const agentNode = defineNode({
  type: "agent",
  version: 1,
  kind: "agent",
  ui: {
    label: "AI agent",
    category: "ai",
    icon: "bot",
    description:
      "An agent that calls tools (flows, HTTP, code) until it answers; every call is a durable step.",
  },
  config: AgentConfig,
  literalConfig: ["tools"],
  inputs: { in: { type: "any", required: false, label: "Input" } },
  outputs: { out: { type: "object", label: "Answer", schema: AgentResult } },
  outputSchemas: (config) =>
    config.output === "structured" && config.schema !== undefined
      ? {
          out: {
            type: "object",
            properties: {
              object: config.schema,
              finishReason: { type: "string" },
              steps: z.toJSONSchema(z.array(AgentStep), { io: "output" }),
              usage: z.toJSONSchema(TokenUsageSchema),
            },
            required: ["object", "finishReason", "steps", "usage"],
          },
        }
      : {},
  flowReferences: (config) =>
    config.tools.flatMap((tool, index) =>
      tool.kind === "flow" ? [{ path: ["tools", index, "flowId"], flowId: tool.flowId }] : [],
    ),
  credentials: [{ key: "credential", type: LLM_CREDENTIAL_TYPES, required: true }],
  execute({ config }) {
    return {
      kind: "agent",
      request: {
        credentialId: config.credential,
        model: config.model,
        ...(config.instructions === undefined ? {} : { instructions: config.instructions }),
        message: config.message,
        tools: config.tools,
        maxSteps: config.maxSteps,
        toolChoice: config.toolChoice,
        output:
          config.output === "structured" && config.schema !== undefined
            ? { type: "structured", schema: config.schema }
            : { type: "text" },
        ...(config.temperature === undefined ? {} : { temperature: config.temperature }),
        approval: { assignees: config.approvers, timeoutMs: durationMs(config.approvalTimeout) },
      },
    };
  },
});
