import { z } from "zod";

/** `runs.test`: run the flow's current draft as a test run. */
export const TestRunInput = z.strictObject({
  flowId: z.string().min(1, "Give the flow id").max(100),
  /** The run's input, checked against the manual trigger's input schema when the run starts. */
  input: z.unknown().default({}),
});
export type TestRunInput = z.output<typeof TestRunInput>;
