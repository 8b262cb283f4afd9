import { z } from "zod";

import { defineNode } from "../define";
import { Duration, durationMs } from "./shared";

/** Pauses the run durably for a duration or until a moment (the engine sleeps; no process waits). */
export const waitNode = defineNode({
  type: "wait",
  version: 1,
  kind: "wait",
  pure: true,
  ui: {
    label: "Wait",
    category: "flow",
    icon: "hourglass",
    description: "Pause the run for a while or until a date and time.",
  },
  config: z.discriminatedUnion("mode", [
    z.object({ mode: z.literal("duration"), duration: Duration }),
    z.object({
      mode: z.literal("until"),
      until: z.iso
        .datetime({ offset: true })
        .describe("ISO 8601 date-time, e.g. {{ nodes.book.startsAt }}"),
    }),
  ]),
  inputs: { in: { type: "any", required: false, label: "Input" } },
  outputs: { out: { type: "any", label: "Input, after the wait" } },
  execute({ config, inputs }) {
    const then = { kind: "emit", port: "out", value: inputs.in ?? null } as const;
    if (config.mode === "duration")
      return { kind: "sleep", sleep: { durationMs: durationMs(config.duration) }, then };
    return { kind: "sleep", sleep: { until: new Date(config.until).toISOString() }, then };
  },
});
