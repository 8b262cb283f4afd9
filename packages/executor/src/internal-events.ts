/** Names of the events the executor itself emits (as Inngest does). */
export const internalEvents = {
  failed: "inngest/function.failed",
  finished: "inngest/function.finished",
  cancelled: "inngest/function.cancelled",
  invoked: "inngest/function.invoked",
  timer: "inngest/scheduled.timer",
} as const;
