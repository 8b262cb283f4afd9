import { z } from "zod";

import { defineNode, NodeRunError } from "../define";
import { checkAgainstJsonSchema, JsonSchemaDocument } from "./shared";

/**
 * Starts a run through the flow's deployed REST endpoint (`POST /api/v1/flows/{idOrSlug}/runs`).
 * `inputSchema` types the request body; `outputSchema` types the response (the run output), and
 * both appear in the OpenAPI document of the deployment.
 */
export const apiTrigger = defineNode({
  type: "api_trigger",
  version: 1,
  kind: "trigger",
  pure: true,
  trigger: "api",
  ui: {
    label: "API endpoint",
    category: "trigger",
    icon: "plug",
    description: "Start the flow from its typed REST endpoint once deployed.",
  },
  config: z.object({
    inputSchema: JsonSchemaDocument.default({ type: "object" }).describe(
      "JSON Schema of the request body",
    ),
    outputSchema: JsonSchemaDocument.default({}).describe(
      "JSON Schema of the run output returned to the caller",
    ),
  }),
  inputs: {},
  outputs: { out: { type: "any", label: "Body", description: "The request body" } },
  outputSchemas: (config) => ({ out: config.inputSchema }),
  execute({ config, event }) {
    const problem = checkAgainstJsonSchema(config.inputSchema, event);
    if (problem !== undefined)
      throw new NodeRunError(
        "api_trigger",
        ["event"],
        `request body does not match the input schema: ${problem}`,
      );
    return { kind: "emit", port: "out", value: event };
  },
});
