import { z } from "zod";

import { keptAsSent } from "./kept-as-sent";

/** Node ids are stable and human-readable (`fetch_page`): they name steps and appear in expressions. */
export const NodeId = z
  .string()
  .min(1)
  .max(64)
  .regex(
    /^[a-z][a-z0-9_]*$/,
    "a node id starts with a lower-case letter and uses only a-z, 0-9 and _ (e.g. fetch_page)",
  );
export type NodeId = z.infer<typeof NodeId>;

export const PortName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9_]*$/, "a port name uses only a-z, 0-9 and _");

export const OnError = z.enum(["fail", "continue", "error_port"]);
export type OnError = z.infer<typeof OnError>;

export const NodeSettings = z.object({
  /** Extra attempts after a failure (with exponential backoff). */
  retries: z.number().int().min(0).max(10).default(0),
  /** Limit of one attempt, milliseconds. */
  timeoutMs: z.number().int().min(100).max(86_400_000).default(300_000),
  /**
   * After the last attempt fails: `fail` fails the run; `continue` fires the node's first output port
   * with `{ error: { message, name } }`; `error_port` fires the node's `error` port with that value.
   */
  onError: OnError.default("fail"),
});
export type NodeSettings = z.infer<typeof NodeSettings>;

export const FlowNode = z.object({
  id: NodeId,
  type: z.string().min(1).max(64),
  version: z.number().int().positive(),
  name: z.string().min(1).max(200),
  /** Node config; string values may hold `{{ expressions }}`. Checked against the node type's zod schema. */
  config: keptAsSent(z.record(z.string(), z.json()), {
    type: "object",
    additionalProperties: {},
  }).default({}),
  position: z.object({ x: z.number(), y: z.number() }).default({ x: 0, y: 0 }),
  settings: NodeSettings.default({ retries: 0, timeoutMs: 300_000, onError: "fail" }),
});
export type FlowNode = z.infer<typeof FlowNode>;

export const FlowEdge = z.object({
  id: z.string().min(1).max(128),
  source: NodeId,
  sourcePort: PortName,
  target: NodeId,
  targetPort: PortName,
});
export type FlowEdge = z.infer<typeof FlowEdge>;

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Flow variables, readable in expressions as `vars.<name>`. */
export const FlowVars = keptAsSent(
  z.record(z.string().regex(VAR_NAME, "a variable name is an identifier"), z.json()),
  { type: "object", propertyNames: { pattern: VAR_NAME.source }, additionalProperties: {} },
);

export const MAX_NODES = 500;
export const MAX_EDGES = 2_000;

/** A flow definition (DESIGN §3). Published as JSON Schema in docs/flow.schema.json. */
export const FlowDefinition = z.object({
  nodes: z.array(FlowNode).max(MAX_NODES),
  edges: z.array(FlowEdge).max(MAX_EDGES),
  vars: FlowVars.default({}),
});
export type FlowDefinition = z.infer<typeof FlowDefinition>;
/** A definition as written (defaults not yet applied). */
export type FlowDefinitionInput = z.input<typeof FlowDefinition>;

/** The JSON Schema of a flow definition as authors write it (defaults optional). */
export function flowJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(FlowDefinition, { io: "input", target: "draft-2020-12" }),
    $id: "https://runnel.dev/schemas/flow.schema.json",
    title: "Runnel flow definition",
    description:
      "Nodes (with config, position and settings) and the edges that connect their ports. See docs/flows.md.",
  };
}
