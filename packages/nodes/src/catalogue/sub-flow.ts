import { z } from "zod";

import { defineNode } from "../define";
import { JsonConfigData } from "./shared";

/** Runs another flow of the org as a child run and continues with its output. */
export const subFlowNode = defineNode({
  type: "sub_flow",
  version: 1,
  kind: "subflow",
  pure: true,
  ui: {
    label: "Sub-flow",
    category: "flow",
    icon: "workflow",
    description: "Run another flow and use its output.",
  },
  config: z.object({
    flowId: z.string().min(1).describe("The flow to run"),
    version: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("Pinned published version; default: latest"),
    input: JsonConfigData.optional().describe("Input of the child run; default: this node's input"),
    timeoutMs: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("Fail when the child run takes longer"),
  }),
  inputs: { in: { type: "any", required: false, label: "Input" } },
  outputs: { out: { type: "any", label: "Child output" } },
  execute({ config, inputs }) {
    return {
      kind: "invoke",
      flowId: config.flowId,
      ...(config.version === undefined ? {} : { version: config.version }),
      input: config.input ?? inputs.in ?? null,
      ...(config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs }),
    };
  },
});
