import { z } from "zod";

/** `runs.rerunFrom`: run an earlier run again from one of its nodes. */
export const RerunFromInput = z.strictObject({
  runId: z.string().min(1, "Give the run id").max(100),
  /** The node to execute again, with every node reachable from it; the others reuse the earlier outputs. */
  nodeId: z.string().min(1, "Give the node id").max(200),
  /** Run a test snapshot of the flow's current draft instead of the earlier run's version. */
  draft: z.boolean().default(false),
});
export type RerunFromInput = z.output<typeof RerunFromInput>;
