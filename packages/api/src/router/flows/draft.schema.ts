import { z } from "zod";

import { FlowDefinition } from "@runnel/engine";

import { FlowDescription, FlowId, FlowName } from "./shared";

export const SaveDraftInput = z.strictObject({
  id: FlowId,
  /** Structural errors (shape, ids, limits) are field errors under `definition.*`; compile problems are not. */
  definition: FlowDefinition,
  name: FlowName.optional(),
  description: FlowDescription.optional(),
});
export type SaveDraftInput = z.output<typeof SaveDraftInput>;

export const ValidateFlowInput = z.strictObject({
  id: FlowId,
  /** A definition to check instead of the saved draft (nothing is saved). Any JSON: every problem is reported. */
  definition: z.unknown().optional(),
});
export type ValidateFlowInput = z.output<typeof ValidateFlowInput>;
