import { z } from "zod";

import type {
  CredentialSlot,
  JsonSchema,
  NodeDefinition,
  NodeKind,
  NodeUi,
  TriggerType,
} from "./define";
import type { PortType } from "./ports";
import { agentNode } from "./catalogue/agent";
import { apiTrigger } from "./catalogue/api-trigger";
import { approvalNode } from "./catalogue/approval";
import { codeNode } from "./catalogue/code";
import { httpRequestNode } from "./catalogue/http-request";
import { ifNode } from "./catalogue/if";
import { llmStructuredNode } from "./catalogue/llm-structured";
import { llmTextNode } from "./catalogue/llm-text";
import { loopNode } from "./catalogue/loop";
import { manualTrigger } from "./catalogue/manual-trigger";
import { mergeNode } from "./catalogue/merge";
import { respondNode } from "./catalogue/respond";
import { scheduleTrigger } from "./catalogue/schedule-trigger";
import { setNode } from "./catalogue/set";
import { subFlowNode } from "./catalogue/sub-flow";
import { switchNode } from "./catalogue/switch";
import { waitNode } from "./catalogue/wait";
import { webhookTrigger } from "./catalogue/webhook-trigger";

/**
 * Every node type Runnel ships, as an explicit list (no discovery). To add a node: write its file in
 * src/catalogue/ and append it here; registry.test.ts checks uniqueness and JSON Schema conversion.
 */
export const nodeRegistry: readonly NodeDefinition[] = [
  manualTrigger,
  webhookTrigger,
  scheduleTrigger,
  apiTrigger,
  setNode,
  ifNode,
  switchNode,
  mergeNode,
  loopNode,
  waitNode,
  approvalNode,
  subFlowNode,
  respondNode,
  httpRequestNode,
  codeNode,
  llmTextNode,
  llmStructuredNode,
  agentNode,
];

/** A lookup over a list of node definitions (the compiler and engine take one as an argument). */
export interface NodeCatalogue {
  readonly nodes: readonly NodeDefinition[];
  get(type: string, version: number): NodeDefinition | undefined;
  /** Versions available for a type, ascending. */
  versions(type: string): number[];
}

export function createCatalogue(nodes: readonly NodeDefinition[]): NodeCatalogue {
  const byKey = new Map<string, NodeDefinition>();
  for (const node of nodes) {
    const key = `${node.type}@${node.version}`;
    if (byKey.has(key)) throw new Error(`node ${key} is registered twice`);
    byKey.set(key, node);
  }
  return {
    nodes,
    get: (type, version) => byKey.get(`${type}@${version}`),
    versions: (type) =>
      nodes
        .filter((node) => node.type === type)
        .map((node) => node.version)
        .sort((a, b) => a - b),
  };
}

/** The catalogue of {@link nodeRegistry}. */
export const catalogue: NodeCatalogue = createCatalogue(nodeRegistry);

/** Looks a node up in the built-in catalogue. */
export function getNode(type: string, version: number): NodeDefinition | undefined {
  return catalogue.get(type, version);
}

export interface CataloguePort {
  type: PortType;
  label?: string;
  description?: string;
  required: boolean;
  multiple: boolean;
  schema?: JsonSchema;
}

/** What the editor's palette and config forms need about one node type (plain JSON). */
export interface CatalogueEntry {
  type: string;
  version: number;
  kind: NodeKind;
  trigger?: TriggerType;
  ui: NodeUi;
  /** JSON Schema of the config form (input side: defaults may be omitted). */
  configSchema: JsonSchema;
  inputs: Record<string, CataloguePort>;
  /** Static output ports. */
  outputs: Record<string, CataloguePort>;
  /** True when the config adds output ports (switch cases): use `getNode(type, version).outputPorts(config)`. */
  dynamicOutputs: boolean;
  credentials: CredentialSlot[];
  literalConfig: string[];
}

export function catalogueEntries(
  nodes: readonly NodeDefinition[] = nodeRegistry,
): CatalogueEntry[] {
  return nodes.map((node) => ({
    type: node.type,
    version: node.version,
    kind: node.kind,
    ...(node.trigger === undefined ? {} : { trigger: node.trigger }),
    ui: node.ui,
    configSchema: z.toJSONSchema(node.config, { io: "input", unrepresentable: "any" }),
    inputs: Object.fromEntries(
      Object.entries(node.inputs).map(([name, port]) => [
        name,
        describePort(
          port,
          port.required !== false && port.multiple !== true,
          port.multiple === true,
        ),
      ]),
    ),
    outputs: Object.fromEntries(
      Object.entries(node.outputs).map(([name, port]) => [name, describePort(port, false, false)]),
    ),
    dynamicOutputs: node.hasDynamicOutputs,
    credentials: [...node.credentials],
    literalConfig: [...node.literalConfig],
  }));
}

function describePort(
  port: { type: PortType; label?: string; description?: string; schema?: z.ZodType },
  required: boolean,
  multiple: boolean,
): CataloguePort {
  return {
    type: port.type,
    ...(port.label === undefined ? {} : { label: port.label }),
    ...(port.description === undefined ? {} : { description: port.description }),
    required,
    multiple,
    ...(port.schema === undefined
      ? {}
      : { schema: z.toJSONSchema(port.schema, { io: "output", unrepresentable: "any" }) }),
  };
}
