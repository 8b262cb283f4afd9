import { z } from "zod";

import { defineNode } from "../define";

export const TokenUsageSchema = z.object({
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  totalTokens: z.number().int(),
});

/** Fields shared by the LLM nodes. */
export const llmConfigFields = {
  credential: z
    .string()
    .min(1)
    .describe("An openai credential (API key and optional base URL, e.g. Ollama)"),
  model: z.string().min(1).describe("Model name, e.g. gpt-4o-mini or llama3.2"),
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
    description: "Generate text with an OpenAI or OpenAI-compatible chat model.",
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
  credentials: [{ key: "credential", type: "openai", required: true }],
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
