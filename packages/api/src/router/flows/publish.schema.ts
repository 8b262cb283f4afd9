import { z } from "zod";

import { FlowId } from "./shared";

export const PublishFlowInput = z.strictObject({
  id: FlowId,
  /** What changed, shown in the version list. */
  message: z.string().trim().max(500, "Message must be at most 500 characters").default(""),
});
export type PublishFlowInput = z.output<typeof PublishFlowInput>;

export const VersionInput = z.strictObject({
  id: FlowId,
  number: z.number().int().positive(),
});
export type VersionInput = z.output<typeof VersionInput>;

/** A published version number, or the current draft. */
const Side = z.union([z.number().int().positive(), z.literal("draft")]);

export const DiffInput = z.strictObject({ id: FlowId, from: Side, to: Side });
export type DiffInput = z.output<typeof DiffInput>;
