import { z } from "zod";

import { defineNode } from "../define";
import { JsonConfigData } from "./shared";

/**
 * Runs a body once per item: the body is a sub-flow (any graph) whose run input is the item. Items come
 * from an expression (`{{ nodes.fetch.body.rows }}`) or, without one, from the input array. Outputs
 * are collected in item order on `out`.
 */
export const loopNode = defineNode({
  type: "loop",
  version: 1,
  kind: "loop",
  pure: true,
  ui: {
    label: "Loop",
    category: "flow",
    icon: "repeat",
    description: "Run a sub-flow for each item, one at a time or in parallel.",
  },
  config: z.object({
    items: z
      .array(JsonConfigData)
      .max(10_000)
      .optional()
      .describe("The items; default: the input array"),
    flowId: z.string().min(1).describe("The sub-flow that is the loop body"),
    version: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("Pinned published version of the body; default: latest"),
    concurrency: z.number().int().min(1).max(50).default(1).describe("Items run at the same time"),
    continueOnItemError: z
      .boolean()
      .default(false)
      .describe("Record a failed item as { error } instead of failing the node"),
  }),
  inputs: { in: { type: "array", required: false, label: "Items" } },
  outputs: { out: { type: "array", label: "Results" } },
  execute({ config, inputs }) {
    return {
      kind: "loop",
      items: config.items ?? inputs.in ?? [],
      flowId: config.flowId,
      ...(config.version === undefined ? {} : { version: config.version }),
      concurrency: config.concurrency,
      continueOnItemError: config.continueOnItemError,
    };
  },
});
