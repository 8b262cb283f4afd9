import { z } from "zod";

import type { AgentTool } from "./catalogue/agent-tools";
import type { JsonValue, NodeContext } from "./context";
import type { InputPorts, NodeInputs, OutputPorts, OutputPortSpec, PortData } from "./ports";
import { isJsonValue } from "./json";
import { checkPortType } from "./ports";

/**
 * How the engine treats a node (see docs/flows.md, "Node kinds"):
 * - `trigger`: starts a run; its execute shapes the trigger event into its `out` port.
 * - `action`: pure logic or a side effect through ctx; returns the one port that fires (branch nodes choose).
 * - `wait`, `approval`, `subflow`, `loop`, `respond`: control nodes. Their execute is pure: it returns a
 *   typed directive (sleep, approval request, invoke, loop, respond) that the engine carries out with its
 *   durable step tools, then fires the port named in the directive's documentation.
 * - `agent`: returns an {@link AgentDirective}; the engine runs the model/tool loop, one step per call.
 */
export const NODE_KINDS = [
  "trigger",
  "action",
  "wait",
  "approval",
  "subflow",
  "loop",
  "respond",
  "agent",
] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

/** Trigger kinds; docs/flows.md lists which may be combined in one flow. */
export const TRIGGER_TYPES = ["manual", "webhook", "schedule", "api"] as const;
export type TriggerType = (typeof TRIGGER_TYPES)[number];

export const NODE_CATEGORIES = ["trigger", "flow", "data", "human", "ai", "integration"] as const;
export type NodeCategory = (typeof NODE_CATEGORIES)[number];

export interface NodeUi {
  label: string;
  category: NodeCategory;
  /** A lucide icon name, e.g. "git-branch". */
  icon: string;
  description: string;
}

/** A JSON Schema document (draft 2020-12), as produced by `z.toJSONSchema`. */
export type JsonSchema = Record<string, unknown>;

/**
 * Where a field's suggested values come from: `models` = the model ids of a model provider credential;
 * `mcpTools` = the tools of the MCP server described by the sibling `server` object (`mcp.tools`).
 */
export const FIELD_OPTION_SOURCES = ["models", "mcpTools"] as const;
export type FieldOptionSource = (typeof FIELD_OPTION_SOURCES)[number];

/**
 * Form hints of one config field, attached with `.meta(fieldUi({ … }))` on its zod schema. `z.toJSONSchema` copies
 * them into the catalogue's config JSON Schema under `ui`, where the editor's form reads them (docs/flows.md,
 * "Form hints"). Hints only shape the form: validation stays the schema's.
 */
export interface FieldUi {
  /** Offer values from this source in a searchable list; any other value may still be typed. */
  options?: FieldOptionSource;
  /** The sibling key the options depend on (the credential whose models, the server whose tools are listed). */
  dependsOn?: string;
}

/** The `.meta()` argument carrying form hints: `z.string().meta(fieldUi({ options: "models", dependsOn: "credential" }))`. */
export function fieldUi(ui: FieldUi): { ui: FieldUi } {
  return { ui };
}

/** A config field that holds a credential id; the compiler checks it against the org's credentials. */
export interface CredentialSlot<Key extends string = string> {
  /** Top-level config key holding the credential id (always a literal id, never an expression). */
  key: Key;
  /** Credential type, e.g. "httpBearer", or the types any of which fits (the model providers: docs/ai.md). */
  type: string | readonly [string, ...string[]];
  /** A required slot must be filled. */
  required: boolean;
}

/** The credential types a slot accepts. */
export function slotTypes(slot: CredentialSlot): readonly string[] {
  return typeof slot.type === "string" ? [slot.type] : slot.type;
}

/** One port fires with one value. */
export interface Emit<Port extends string = string, Value = JsonValue> {
  kind: "emit";
  port: Port;
  value: Value;
}

export type EmitOf<O extends OutputPorts> = {
  [K in keyof O & string]: Emit<K, PortData<O[K]>>;
}[keyof O & string];

/** Wait node: the engine sleeps (step.sleep / step.sleepUntil), then emits `then`. */
export interface SleepDirective<E = Emit> {
  kind: "sleep";
  /** Sleep this long, or until `until` (ISO 8601); exactly one is set. */
  sleep: { durationMs: number } | { until: string };
  then: E;
}

/**
 * Approval node: the engine records an approval request and waits for `runnel/approval.decided`
 * (step.waitForEvent). It then emits `approved` or `rejected` with an {@link ApprovalOutcome}, or
 * `timeout` with an outcome whose decision is "timeout" when `timeoutMs` passes first.
 */
export interface ApprovalDirective {
  kind: "approval";
  request: {
    assignees: string[];
    message: string;
    /** JSON Schema of the form the approver fills in. */
    form?: JsonSchema;
    timeoutMs: number;
    /** The data under review, shown to the approver. */
    data: JsonValue;
  };
}

export interface ApprovalOutcome {
  decision: "approved" | "rejected" | "timeout";
  /** User id of the approver; absent on timeout. */
  decidedBy?: string;
  comment?: string;
  /** Form answers, validated against the request's form schema. */
  form?: JsonValue;
  data: JsonValue;
}

/** Sub-flow node: the engine runs the flow (step.invoke of runFlow) and emits its output on `out`. */
export interface InvokeDirective {
  kind: "invoke";
  flowId: string;
  /** Pinned version number; absent = the flow's latest published version at the time of the call. */
  version?: number;
  input: JsonValue;
  timeoutMs?: number;
}

/**
 * Loop node: the engine runs the sub-flow once per item (step.invoke with the item as input and
 * `{ index }` as vars), at most `concurrency` at a time, and emits the outputs in item order on `out`.
 */
export interface LoopDirective {
  kind: "loop";
  items: JsonValue[];
  concurrency: number;
  flowId: string;
  version?: number;
  /** When true, a failed item yields `{ error: { message } }` in its slot instead of failing the node. */
  continueOnItemError: boolean;
}

export interface HttpResponseSpec {
  status: number;
  headers: Record<string, string>;
  body: JsonValue;
}

/** Respond node: `response` answers the waiting webhook caller (the webhook ingress reads it), then emits `then`. */
export interface RespondDirective<E = Emit> {
  kind: "respond";
  response: HttpResponseSpec;
  then: E;
}

/**
 * Agent node: the engine runs the model/tool loop with its durable step tools — every model call and every tool
 * call its own step — and emits the answer on `out` (docs/ai.md, Agents).
 */
export interface AgentDirective {
  kind: "agent";
  request: {
    credentialId: string;
    model: string;
    instructions?: string;
    message: string;
    tools: AgentTool[];
    maxSteps: number;
    toolChoice: "auto" | "required" | "none";
    output: { type: "text" } | { type: "structured"; schema: JsonSchema };
    temperature?: number;
    /** Who decides gated tool calls, and how long a decision may take (then the call counts as rejected). */
    approval: { assignees: string[]; timeoutMs: number };
  };
}

/** What each node kind's execute returns. */
export interface KindResults<O extends OutputPorts> {
  trigger: EmitOf<O>;
  action: EmitOf<O>;
  wait: SleepDirective<EmitOf<O>>;
  approval: ApprovalDirective;
  subflow: InvokeDirective;
  loop: LoopDirective;
  respond: RespondDirective<EmitOf<O>>;
  agent: AgentDirective;
}

/** The type-erased result the engine receives from {@link NodeDefinition.run}. */
export type NodeDirective =
  | Emit
  | SleepDirective
  | ApprovalDirective
  | InvokeDirective
  | LoopDirective
  | RespondDirective
  | AgentDirective;

/** A flow a node's config names (an agent's flow tool), for the compiler to check it is published. */
export interface FlowReference {
  /** Path inside the node's config, e.g. ["tools", 0, "flowId"]. */
  path: (string | number)[];
  flowId: string;
}

export interface ExecuteArgs<C extends z.ZodType, I extends InputPorts> {
  /** The node's config with every `{{ }}` expression already evaluated and validated by the zod schema. */
  config: z.output<C>;
  inputs: NodeInputs<I>;
  ctx: NodeContext;
  /**
   * The payload that started the run (manual/API input, webhook request, schedule slot). Trigger
   * nodes shape it into their output; other nodes normally read it through `{{ trigger }}` instead.
   */
  event: JsonValue;
}

type ConfigKey<C extends z.ZodType> = keyof z.input<C> & string;

export interface NodeSpec<
  C extends z.ZodType,
  I extends InputPorts,
  O extends OutputPorts,
  K extends NodeKind,
> {
  /** snake_case type name, e.g. "http_request". */
  type: string;
  /** Positive integer; a breaking config change is a new version. */
  version: number;
  kind: K;
  /** Required for trigger nodes. */
  trigger?: K extends "trigger" ? TriggerType : never;
  ui: NodeUi;
  config: C;
  inputs: I;
  outputs: O;
  credentials?: readonly CredentialSlot<ConfigKey<C>>[];
  /** Top-level config keys passed through literally: `{{ }}` in them is not evaluated (e.g. code). */
  literalConfig?: readonly ConfigKey<C>[];
  /**
   * True when execute only computes its result from config, inputs and event and reaches nothing outside through
   * ctx (no request, no model call): the engine may commit such a node's output together with later ones, as long as
   * it commits before any node with effects starts (docs/executor.md, Direct runs). Default false.
   */
  pure?: boolean;
  /**
   * Output ports named by the config (switch cases). Receives the raw config (expressions not yet
   * evaluated) and must read it defensively; the ports are added to the static `outputs`.
   */
  dynamicOutputs?: (rawConfig: unknown) => OutputPorts;
  /**
   * JSON Schemas of output ports that depend on the config (e.g. a manual trigger's input schema).
   * Called at compile time with the config when it validates; static port `schema`s need not be repeated.
   */
  outputSchemas?: (config: z.output<C>) => Partial<Record<keyof O & string, JsonSchema>>;
  /** Flows the config refers to; the compiler checks each is a published flow of the org. */
  flowReferences?: (config: z.output<C>) => FlowReference[];
  execute(args: ExecuteArgs<C, I>): KindResults<O>[K] | Promise<KindResults<O>[K]>;
}

export interface RunArgs {
  /** Config after expression evaluation (validated here against the node's zod schema). */
  config: unknown;
  /** Input port name → value (for `multiple` ports: source node id → value). */
  inputs: Readonly<Record<string, unknown>>;
  ctx: NodeContext;
  /** The payload that started the run (see {@link ExecuteArgs.event}). */
  event: JsonValue;
}

/** A node as the registry, the compiler and the engine see it: types erased, every check at run time. */
export interface NodeDefinition {
  readonly type: string;
  readonly version: number;
  readonly kind: NodeKind;
  readonly trigger: TriggerType | undefined;
  readonly ui: NodeUi;
  readonly config: z.ZodType;
  readonly inputs: InputPorts;
  readonly outputs: OutputPorts;
  readonly credentials: readonly CredentialSlot[];
  readonly literalConfig: readonly string[];
  /** See {@link NodeSpec.pure}. */
  readonly pure: boolean;
  /** True when the config names extra output ports (switch cases): ask {@link outputPorts}. */
  readonly hasDynamicOutputs: boolean;
  /** Every output port for this raw config: the static ones plus those named by the config. */
  outputPorts(rawConfig: unknown): OutputPorts;
  /** JSON Schema of each output port whose data shape is known for this (raw, compile-time) config. */
  outputSchemas(rawConfig: unknown): Record<string, JsonSchema>;
  /** Flows this (raw, compile-time) config refers to; none when the config does not validate. */
  flowReferences(rawConfig: unknown): FlowReference[];
  /**
   * Validates config and inputs, runs execute, and validates its result (declared port, JSON value
   * of the port's type). Throws {@link NodeRunError} with a path on any mismatch.
   */
  run(args: RunArgs): Promise<NodeDirective>;
}

/** A defined node: the erased {@link NodeDefinition} plus its typed `execute` (for tests and tools). */
export type DefinedNode<
  C extends z.ZodType,
  I extends InputPorts,
  O extends OutputPorts,
  K extends NodeKind,
> = NodeDefinition & {
  readonly kind: K;
  readonly config: C;
  readonly inputs: I;
  readonly outputs: O;
  execute(args: ExecuteArgs<C, I>): KindResults<O>[K] | Promise<KindResults<O>[K]>;
};

/** An error in a node's config, inputs or result; `path` points at the offending value. */
export class NodeRunError extends Error {
  readonly nodeType: string;
  readonly path: readonly (string | number)[];

  constructor(nodeType: string, path: readonly (string | number)[], message: string) {
    super(`${nodeType}: ${path.length > 0 ? `${path.join(".")}: ` : ""}${message}`);
    this.name = "NodeRunError";
    this.nodeType = nodeType;
    this.path = path;
  }
}

const TYPE_PATTERN = /^[a-z][a-z0-9_]*$/;

/** Port names nodes may not declare: the engine adds `error` to nodes whose onError is "error_port". */
export const RESERVED_PORTS = ["error"] as const;

/** Pattern of port names (and of node ids in flows). */
export const PORT_NAME_PATTERN = /^[a-z][a-z0-9_]*$/;

/** Declares a node type. See docs/flows.md for the node-file conventions. */
export function defineNode<
  const C extends z.ZodType,
  const I extends InputPorts,
  const O extends OutputPorts,
  const K extends NodeKind,
>(spec: NodeSpec<C, I, O, K>): DefinedNode<C, I, O, K> {
  if (!TYPE_PATTERN.test(spec.type))
    throw new Error(`defineNode: type "${spec.type}" must match ${TYPE_PATTERN.source}`);
  if (!Number.isInteger(spec.version) || spec.version < 1) {
    throw new Error(`defineNode ${spec.type}: version must be a positive integer`);
  }
  if ((spec.kind === "trigger") !== (spec.trigger !== undefined)) {
    throw new Error(
      `defineNode ${spec.type}: trigger nodes (and only they) name their trigger type`,
    );
  }
  for (const name of [...Object.keys(spec.inputs), ...Object.keys(spec.outputs)]) {
    if (!PORT_NAME_PATTERN.test(name))
      throw new Error(
        `defineNode ${spec.type}: port name "${name}" must match ${PORT_NAME_PATTERN.source}`,
      );
  }
  for (const reserved of RESERVED_PORTS) {
    if (reserved in spec.outputs)
      throw new Error(
        `defineNode ${spec.type}: output port "${reserved}" is reserved for onError routing`,
      );
  }
  const type = spec.type;

  function inputsValid(raw: Readonly<Record<string, unknown>>): raw is NodeInputs<I> {
    for (const [name, port] of Object.entries(spec.inputs)) {
      const value = raw[name];
      if (port.multiple === true) {
        if (value === undefined) continue;
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
          throw new NodeRunError(
            type,
            ["inputs", name],
            "a multiple input must be an object keyed by source node id",
          );
        }
        for (const [source, item] of Object.entries(value))
          checkPortValue(["inputs", name, source], port, item);
        continue;
      }
      if (value === undefined) {
        if (port.required === false) continue;
        throw new NodeRunError(type, ["inputs", name], "required input has no value");
      }
      checkPortValue(["inputs", name], port, value);
    }
    for (const name of Object.keys(raw)) {
      if (!(name in spec.inputs))
        throw new NodeRunError(type, ["inputs", name], "no such input port");
    }
    return true;
  }

  function checkPortValue(path: (string | number)[], port: OutputPortSpec, value: unknown): void {
    const typeProblem = checkPortType(port.type, value);
    if (typeProblem !== undefined) throw new NodeRunError(type, path, typeProblem);
    if (!isJsonValue(value)) throw new NodeRunError(type, path, "value is not JSON");
    if (port.schema !== undefined) {
      const checked = port.schema.safeParse(value);
      if (!checked.success) {
        const issue = checked.error.issues[0];
        const where = issue === undefined ? path : [...path, ...issue.path.map(pathKey)];
        throw new NodeRunError(type, where, issue?.message ?? "does not match the port schema");
      }
    }
  }

  function outputPorts(rawConfig: unknown): OutputPorts {
    if (spec.dynamicOutputs === undefined) return spec.outputs;
    return { ...spec.dynamicOutputs(rawConfig), ...spec.outputs };
  }

  function toEmit(
    outputs: OutputPorts,
    where: string,
    result: { port: string; value: unknown },
  ): Emit {
    const port = outputs[result.port];
    if (port === undefined)
      throw new NodeRunError(type, [where], `fired unknown output port "${result.port}"`);
    checkPortValue([where, result.port], port, result.value);
    if (!isJsonValue(result.value))
      throw new NodeRunError(type, [where, result.port], "value is not JSON");
    return { kind: "emit", port: result.port, value: result.value };
  }

  function toDirective(outputs: OutputPorts, result: KindResults<O>[K]): NodeDirective {
    switch (result.kind) {
      case "emit":
        return toEmit(outputs, "result", result);
      case "sleep":
        return { kind: "sleep", sleep: result.sleep, then: toEmit(outputs, "then", result.then) };
      case "respond":
        return {
          kind: "respond",
          response: result.response,
          then: toEmit(outputs, "then", result.then),
        };
      case "approval":
      case "invoke":
      case "loop":
      case "agent":
        return result;
    }
  }

  const definition: DefinedNode<C, I, O, K> = {
    type,
    version: spec.version,
    kind: spec.kind,
    trigger: spec.trigger,
    ui: spec.ui,
    config: spec.config,
    inputs: spec.inputs,
    outputs: spec.outputs,
    credentials: spec.credentials ?? [],
    literalConfig: spec.literalConfig ?? [],
    pure: spec.pure ?? false,
    execute: (args) => spec.execute(args),
    hasDynamicOutputs: spec.dynamicOutputs !== undefined,
    outputPorts,
    outputSchemas(rawConfig) {
      const schemas: Record<string, JsonSchema> = {};
      for (const [name, port] of Object.entries(outputPorts(rawConfig))) {
        if (port.schema !== undefined) schemas[name] = portJsonSchema(port.schema);
      }
      if (spec.outputSchemas !== undefined) {
        const parsed = spec.config.safeParse(rawConfig);
        if (parsed.success) {
          for (const [name, schema] of Object.entries(spec.outputSchemas(parsed.data))) {
            if (isJsonSchema(schema)) schemas[name] = schema;
          }
        }
      }
      return schemas;
    },
    flowReferences(rawConfig) {
      if (spec.flowReferences === undefined) return [];
      const parsed = spec.config.safeParse(rawConfig);
      return parsed.success ? spec.flowReferences(parsed.data) : [];
    },
    async run({ config, inputs, ctx, event }) {
      const parsed = spec.config.safeParse(config);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new NodeRunError(
          type,
          ["config", ...(issue?.path.map(pathKey) ?? [])],
          issue?.message ?? "invalid config",
        );
      }
      if (!inputsValid(inputs)) throw new NodeRunError(type, ["inputs"], "invalid inputs");
      const result = await spec.execute({ config: parsed.data, inputs, ctx, event });
      return toDirective(outputPorts(config), result);
    },
  };
  return definition;
}

const portSchemaCache = new WeakMap<z.ZodType, JsonSchema>();

/** JSON Schema of a port's zod schema, converted once per schema (the compiler asks often). */
function portJsonSchema(schema: z.ZodType): JsonSchema {
  let converted = portSchemaCache.get(schema);
  if (converted === undefined) {
    converted = z.toJSONSchema(schema, { io: "output", unrepresentable: "any" });
    portSchemaCache.set(schema, converted);
  }
  return converted;
}

function isJsonSchema(value: unknown): value is JsonSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function pathKey(key: PropertyKey): string | number {
  return typeof key === "symbol" ? String(key) : key;
}
