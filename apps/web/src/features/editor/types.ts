import type { RouterOutputs } from "@runnel/api";

/** A flow definition as the API returns it (defaults applied). */
export type FlowDefinition = RouterOutputs["flows"]["get"]["draft"];
export type FlowNode = FlowDefinition["nodes"][number];
export type FlowEdge = FlowDefinition["edges"][number];
export type NodeSettings = FlowNode["settings"];

export type NodeStatus = "pending" | "running" | "succeeded" | "failed" | "skipped" | "waiting";
export type NodeHighlight = "added" | "removed" | "changed";

/** A compiler problem as flows.validate / flows.saveDraft return it. */
export type FlowProblem = RouterOutputs["flows"]["validate"]["problems"][number];

export type XY = { x: number; y: number };
