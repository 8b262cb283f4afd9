import type { JsonValue, NodeKind, TriggerType } from "@runnel/nodes";

import type { NodeSettings } from "../flow/definition";

/** What the compiler found wrong; `path` points into the definition (e.g. ["nodes", 2, "config", "url"]). */
export interface Problem {
  /** The node the problem belongs to; null for flow-wide problems (no trigger, bad top-level shape). */
  nodeId: string | null;
  /** Set for problems of an edge. */
  edgeId?: string;
  path: (string | number)[];
  message: string;
  code: ProblemCode;
}

export type ProblemCode =
  | "invalid_definition"
  | "duplicate_node_id"
  | "duplicate_edge_id"
  | "unknown_node_type"
  | "unknown_node_version"
  | "invalid_config"
  | "edge_unknown_node"
  | "edge_unknown_port"
  | "duplicate_edge"
  | "port_type_mismatch"
  | "missing_input"
  | "cycle"
  | "no_trigger"
  | "unreachable"
  | "conflicting_triggers"
  | "missing_respond_node"
  | "expression_syntax"
  | "expression_unknown_node"
  | "expression_not_upstream"
  | "expression_unknown_field"
  | "expression_unknown_var"
  | "missing_credential"
  | "unknown_credential"
  | "credential_type_mismatch"
  | "credential_expression"
  | "unknown_flow"
  | "unpublished_flow";

export interface PlanEdge {
  id: string;
  source: string;
  sourcePort: string;
  target: string;
  targetPort: string;
}

export interface PlanInput {
  /** Ids of the edges into this port, in definition order (the order `multiple` values are collected in). */
  edges: string[];
  required: boolean;
  multiple: boolean;
}

export interface PlanNode {
  id: string;
  name: string;
  type: string;
  version: number;
  kind: NodeKind;
  trigger?: TriggerType;
  /** Raw config: templates are evaluated at run time with `resolveConfig(config, context, literalConfig)`. */
  config: Record<string, JsonValue>;
  literalConfig: string[];
  settings: NodeSettings;
  /** Every node this one depends on, transitively, in topological order (their outputs are its `nodes` context). */
  upstream: string[];
  /** Nodes whose outputs its expressions read (a subset of upstream, unless `readsAnyNode`). */
  reads: string[];
  /** True when an expression reads `nodes` with a computed key. */
  readsAnyNode: boolean;
  inputs: Record<string, PlanInput>;
  /** Output port → ids of edges leaving it. Includes `error` when onError is "error_port". */
  outputs: Record<string, string[]>;
  /** Port fired with `{ error }` when onError is "continue": the node's first output port. */
  continuePort: string;
}

export interface ExecutionPlan {
  nodes: Record<string, PlanNode>;
  edges: Record<string, PlanEdge>;
  /** Topological order of every node. */
  order: string[];
  /**
   * Parallel layers: layer k holds nodes whose longest path from a trigger has k edges; nodes of a
   * layer never depend on each other. Runtimes may also start a node as soon as `advance` says so.
   */
  layers: string[][];
  /** Trigger node ids; a run starts at exactly one of them, the others are skipped. */
  triggers: string[];
  vars: Record<string, JsonValue>;
}

export type CompileResult = { ok: true; plan: ExecutionPlan } | { ok: false; problems: Problem[] };
