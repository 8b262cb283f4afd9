import { z } from "zod";

import { defineNode } from "../define";
import { LLM_CREDENTIAL_TYPES, llmConfigFields, TokenUsageSchema } from "./llm-text";
import { JsonData, JsonSchemaDocument } from "./shared";

/**
 * Asks a chat model for a JSON object matching a JSON Schema (structured output through the AI SDK);
 * the object is validated against the schema before it leaves the node.
 */
export const llmStructuredNode = defineNode({
  type: "llm_structured",
  version: 1,
  kind: "action",
  ui: {
    label: "LLM structured output",
    category: "ai",
    icon: "braces",
    description: "Extract or generate a JSON object matching a schema with any model provider.",
  },
  config: z.object({
    ...llmConfigFields,
    schema: JsonSchemaDocument.refine((schema) => schema.type === "object", {
      message: 'the output schema must describe an object ("type": "object")',
    }).describe("JSON Schema of the object to produce"),
  }),
  inputs: { in: { type: "any", required: false, label: "Input" } },
  outputs: {
    out: {
      type: "object",
      label: "Object",
      schema: z.object({ object: JsonData, usage: TokenUsageSchema }),
    },
  },
  outputSchemas: (config) => ({
    out: {
      type: "object",
      properties: {
        object: config.schema,
        usage: z.toJSONSchema(TokenUsageSchema),
      },
      required: ["object", "usage"],
    },
  }),
  credentials: [{ key: "credential", type: LLM_CREDENTIAL_TYPES, required: true }],
  async execute({ config, ctx }) {
    const result = await ctx.ai.generateObject({
      credentialId: config.credential,
      model: config.model,
      prompt: config.prompt,
      jsonSchema: config.schema,
      ...(config.system === undefined ? {} : { system: config.system }),
      ...(config.temperature === undefined ? {} : { temperature: config.temperature }),
    });
    ctx.recordUsage(result.usage);
    return { kind: "emit", port: "out", value: { object: result.object, usage: result.usage } };
  },
});
