import { z } from "zod";

import { FlowDescription, FlowId, FlowName } from "./shared";

export const CreateFlowInput = z.strictObject({
  name: FlowName,
  description: FlowDescription.default(""),
});
export type CreateFlowInput = z.output<typeof CreateFlowInput>;

export const DuplicateFlowInput = z.strictObject({
  id: FlowId,
  /** Default: "<name> (copy)". */
  name: FlowName.optional(),
});
export type DuplicateFlowInput = z.output<typeof DuplicateFlowInput>;
