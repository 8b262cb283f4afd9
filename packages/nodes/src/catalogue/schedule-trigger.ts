import { z } from "zod";

import { defineNode, NodeRunError } from "../define";
import { checkCronExpression } from "./cron";
import { isTimeZone } from "./shared";

/** The slot the scheduler hands to the run. */
const ScheduleEvent = z.object({ scheduledAt: z.iso.datetime({ offset: true }) });

/** Starts a run on a cron schedule in an IANA time zone (the engine's scheduler uses croner). */
export const scheduleTrigger = defineNode({
  type: "schedule_trigger",
  version: 1,
  kind: "trigger",
  pure: true,
  trigger: "schedule",
  ui: {
    label: "Schedule",
    category: "trigger",
    icon: "clock",
    description: "Start the flow on a cron schedule.",
  },
  config: z.object({
    cron: z
      .string()
      .min(1)
      .superRefine((cron, ctx) => {
        const problem = checkCronExpression(cron);
        if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
      })
      .describe("Cron expression, e.g. 0 9 * * MON-FRI"),
    timezone: z
      .string()
      .default("UTC")
      .refine(isTimeZone, { message: "not a known IANA time zone (e.g. Europe/Berlin)" })
      .describe("IANA time zone the cron expression is read in"),
  }),
  inputs: {},
  outputs: {
    out: {
      type: "object",
      label: "Slot",
      schema: z.object({ scheduledAt: z.string(), cron: z.string(), timezone: z.string() }),
    },
  },
  execute({ config, event }) {
    const slot = ScheduleEvent.safeParse(event);
    if (!slot.success)
      throw new NodeRunError(
        "schedule_trigger",
        ["event", "scheduledAt"],
        "the schedule event needs scheduledAt (ISO 8601)",
      );
    return {
      kind: "emit",
      port: "out",
      value: { scheduledAt: slot.data.scheduledAt, cron: config.cron, timezone: config.timezone },
    };
  },
});
