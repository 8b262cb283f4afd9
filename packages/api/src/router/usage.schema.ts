import { z } from "zod";

/** The most days one usage query covers. */
export const MAX_USAGE_DAYS = 366;
/** The window when none is given: the last 30 days, today included. */
export const DEFAULT_USAGE_DAYS = 30;

const Day = z.iso.date("Give a day as YYYY-MM-DD");

/** A window of UTC days, both ends included; default the last 30 days. */
export const UsageInput = z
  .strictObject({
    from: Day.optional(),
    to: Day.optional(),
    flowId: z.string().min(1, "Give the flow id").max(100).optional(),
  })
  .default({});
export type UsageInput = z.output<typeof UsageInput>;
