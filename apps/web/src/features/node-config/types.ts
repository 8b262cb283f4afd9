import type { RouterOutputs } from "@runnel/api";

/** A node of a flow definition, as the API returns drafts. */
export type FlowNode = RouterOutputs["flows"]["get"]["draft"]["nodes"][number];
export type NodeSettings = FlowNode["settings"];
export type OnError = NodeSettings["onError"];
/** One node type of `trpc.nodes.catalogue`. */
export type CatalogueEntry = RouterOutputs["nodes"]["catalogue"][number];

/** A node the configured node depends on: its output is visible to expressions as `nodes.<id>`. */
export interface UpstreamNode {
  id: string;
  name: string;
  type: string;
}

/** A compile problem of this node; `path` is dotted, relative to the node (`config.url`) or the flow (`nodes.2.config.url`). */
export interface NodeProblem {
  path: string;
  message: string;
}

export interface NodePatch {
  name?: string;
  config?: Record<string, unknown>;
  settings?: NodeSettings;
}
