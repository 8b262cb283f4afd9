import { z } from "zod";

import { defineNode, NodeRunError } from "../define";
import { checkAgainstJsonSchema, JsonSchemaDocument } from "./shared";

/** Starts a run by hand (editor "Run" button, API `runs.start`) with input checked against a JSON Schema. */
export const manualTrigger = defineNode({
  type: "manual_trigger",
  version: 1,
  kind: "trigger",
  pure: true,
  trigger: "manual",
  ui: {
    label: "Manual trigger",
    category: "trigger",
    icon: "play",
    description: "Start the flow by hand with input that matches a JSON Schema.",
  },
  config: z.object({
    inputSchema: JsonSchemaDocument.default({ type: "object" }).describe(
      "JSON Schema of the run input",
    ),
  }),
  inputs: {},
  outputs: { out: { type: "any", label: "Input", description: "The run input" } },
  outputSchemas: (config) => ({ out: config.inputSchema }),
  execute({ config, event }) {
    const problem = checkAgainstJsonSchema(config.inputSchema, event);
    if (problem !== undefined)
      throw new NodeRunError(
        "manual_trigger",
        ["event"],
        `run input does not match the input schema: ${problem}`,
      );
    return { kind: "emit", port: "out", value: event };
  },
});
