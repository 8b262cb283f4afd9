import { z } from "zod";

import { FlowDefinition } from "@runnel/engine";

import { FlowDescription, FlowId, FlowName } from "./shared";

export const EXPORT_FORMAT = "runnel.flow";
export const EXPORT_FORMAT_VERSION = 1;

/**
 * The exported document. Import validates it with this schema and stores the definition as a new flow's draft;
 * nothing in it is evaluated, fetched or run.
 */
export const FlowDocument = z.strictObject({
  format: z.literal(EXPORT_FORMAT, `format must be "${EXPORT_FORMAT}"`),
  formatVersion: z.literal(
    EXPORT_FORMAT_VERSION,
    `formatVersion must be ${EXPORT_FORMAT_VERSION} (this Runnel reads version ${EXPORT_FORMAT_VERSION})`,
  ),
  name: FlowName,
  description: FlowDescription.default(""),
  definition: FlowDefinition,
  /** Informational: where the document came from. */
  exportedAt: z.iso.datetime({ offset: true }).optional(),
  sourceVersion: z.number().int().positive().nullable().optional(),
});
export type FlowDocument = z.output<typeof FlowDocument>;

export const ExportFlowInput = z.strictObject({
  id: FlowId,
  /** A published version number; default: the draft. */
  version: z.number().int().positive().optional(),
});
export type ExportFlowInput = z.output<typeof ExportFlowInput>;

export const ImportFlowInput = z.strictObject({
  document: FlowDocument,
  /** Overrides the document's name. */
  name: FlowName.optional(),
});
export type ImportFlowInput = z.output<typeof ImportFlowInput>;
