import { z } from "zod";

import { defineNode, fieldUi } from "../define";

export const TokenUsageSchema = z.object({
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  totalTokens: z.number().int(),
  costUsd: z.number().nullable().describe("From the price table (docs/ai.md); null when unpriced"),
});

/** The model provider credential types an LLM node accepts, one per provider (docs/ai.md). */
export const LLM_CREDENTIAL_TYPES = ["openai", "openaiCompatible", "anthropic", "gemini"] as const;

/** Fields shared by the LLM nodes. */
export const llmConfigFields = {
  credential: z
    .string()
    .min(1)
    .describe(
      "A model provider credential: OpenAI, OpenAI-compatible (Ollama, vLLM, LM Studio), Anthropic or Gemini",
    ),
  model: z
    .string()
    .min(1)
    .describe("Model id at that provider, e.g. gpt-4.1-mini, claude-sonnet-4-5, gemini-2.5-flash")
    .meta(fieldUi({ options: "models", dependsOn: "credential" })),
  system: z.string().optional().describe("System instructions"),
  prompt: z
    .string()
    .min(1)
    .describe("The prompt; usually an expression such as {{ nodes.fetch.body.text }}"),
  temperature: z.number().min(0).max(2).optional(),
};

/** Asks a chat model for text through the AI SDK; records token usage on the step and the run. */
export const llmTextNode = defineNode({
  type: "llm_text",
  version: 1,
  kind: "action",
  ui: {
    label: "LLM text",
    category: "ai",
    icon: "sparkles",
    description:
      "Generate text with an OpenAI, Anthropic, Gemini or OpenAI-compatible (Ollama…) model.",
  },
  config: z.object({
    ...llmConfigFields,
    maxOutputTokens: z.number().int().min(1).max(1_000_000).optional(),
  }),
  inputs: { in: { type: "any", required: false, label: "Input" } },
  outputs: {
    out: {
      type: "object",
      label: "Text",
      schema: z.object({ text: z.string(), finishReason: z.string(), usage: TokenUsageSchema }),
    },
  },
  credentials: [{ key: "credential", type: LLM_CREDENTIAL_TYPES, required: true }],
  async execute({ config, ctx }) {
    const result = await ctx.ai.generateText({
      credentialId: config.credential,
      model: config.model,
      prompt: config.prompt,
      ...(config.system === undefined ? {} : { system: config.system }),
      ...(config.temperature === undefined ? {} : { temperature: config.temperature }),
      ...(config.maxOutputTokens === undefined ? {} : { maxOutputTokens: config.maxOutputTokens }),
    });
    ctx.recordUsage(result.usage);
    return {
      kind: "emit",
      port: "out",
      value: { text: result.text, finishReason: result.finishReason, usage: result.usage },
    };
  },
});
