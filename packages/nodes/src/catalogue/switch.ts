import { z } from "zod";

import type { OutputPorts } from "../ports";
import { defineNode, PORT_NAME_PATTERN, RESERVED_PORTS } from "../define";

const CaseName = z
  .string()
  .regex(PORT_NAME_PATTERN, "a case name is a port name: lower case letters, digits and _")
  .refine((name) => name !== "default" && !(RESERVED_PORTS as readonly string[]).includes(name), {
    message: "default and error are reserved port names",
  });

const Cases = z
  .array(
    z.object({
      name: CaseName,
      when: z.boolean().describe("An expression that yields true or false"),
    }),
  )
  .min(1)
  .superRefine((cases, ctx) => {
    const seen = new Set<string>();
    for (const [index, item] of cases.entries()) {
      if (seen.has(item.name))
        ctx.addIssue({
          code: "custom",
          path: [index, "name"],
          message: `case "${item.name}" is declared twice`,
        });
      seen.add(item.name);
    }
  });

/** Reads only the case names, so ports are known while `when` still holds unevaluated expressions. */
const CaseNames = z.object({ cases: z.array(z.object({ name: CaseName })) });

const staticOutputs: OutputPorts = { default: { type: "any", label: "Default" } };

/** Routes its input to the first case whose `when` is true (each case is an output port), else to `default`. */
export const switchNode = defineNode({
  type: "switch",
  version: 1,
  kind: "action",
  pure: true,
  ui: {
    label: "Switch",
    category: "flow",
    icon: "split",
    description: "Send the input to the first matching case, or to default.",
  },
  config: z.object({ cases: Cases }),
  inputs: { in: { type: "any", label: "Input" } },
  outputs: staticOutputs,
  dynamicOutputs(rawConfig) {
    const parsed = CaseNames.safeParse(rawConfig);
    if (!parsed.success) return {};
    return Object.fromEntries(
      parsed.data.cases.map((item) => [item.name, { type: "any", label: item.name }]),
    );
  },
  execute({ config, inputs }) {
    const match = config.cases.find((item) => item.when);
    return { kind: "emit", port: match?.name ?? "default", value: inputs.in };
  },
});
