import { z } from "zod";

import { defineNode } from "../define";

/**
 * Routes its input to `true` or `false`. The condition is usually one expression, e.g.
 * `{{ nodes.fetch.status == 200 }}`; nodes reached only through the other port are skipped.
 */
export const ifNode = defineNode({
  type: "if",
  version: 1,
  kind: "action",
  pure: true,
  ui: {
    label: "If",
    category: "flow",
    icon: "git-branch",
    description: "Send the input to the true or the false branch.",
  },
  config: z.object({
    condition: z.boolean().describe("An expression that yields true or false"),
  }),
  inputs: { in: { type: "any", label: "Input" } },
  outputs: {
    true: { type: "any", label: "True" },
    false: { type: "any", label: "False" },
  },
  execute({ config, inputs }) {
    return config.condition
      ? { kind: "emit", port: "true", value: inputs.in }
      : { kind: "emit", port: "false", value: inputs.in };
  },
});
