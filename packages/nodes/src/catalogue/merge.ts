import { z } from "zod";

import type { JsonValue } from "../context";
import { defineNode } from "../define";

/**
 * Joins branches. It runs once every connected input is settled and receives the live ones (skipped
 * branches are left out): `object` outputs `{ <source node id>: value }`; `append` concatenates the
 * values (arrays are spread, other values appended) in edge order.
 */
export const mergeNode = defineNode({
  type: "merge",
  version: 1,
  kind: "action",
  pure: true,
  ui: {
    label: "Merge",
    category: "flow",
    icon: "merge",
    description: "Wait for every branch that ran and combine their outputs.",
  },
  config: z.object({
    mode: z
      .enum(["object", "append"])
      .default("object")
      .describe("object: keyed by source node id; append: one array"),
  }),
  inputs: { in: { type: "any", multiple: true, label: "Inputs" } },
  outputs: { out: { type: "any", label: "Merged" } },
  execute({ config, inputs }) {
    const values = inputs.in ?? {};
    if (config.mode === "object") return { kind: "emit", port: "out", value: { ...values } };
    const items: JsonValue[] = [];
    for (const value of Object.values(values)) {
      if (Array.isArray(value)) items.push(...value);
      else items.push(value);
    }
    return { kind: "emit", port: "out", value: items };
  },
});
